package dev.portcullis.server;

import dev.portcullis.config.LiveConfig;
import dev.portcullis.pipeline.PublicEndpoint;
import dev.portcullis.pipeline.ResponseFilterFactory;
import dev.portcullis.pipeline.Stage;
import dev.portcullis.testkit.SimulatedUpstream;
import dev.portcullis.testkit.SimulatorOptions;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A simulated upstream and a gateway in front of it, both on free loopback ports, for tests over real sockets.
 * {@code extraYaml} is appended to the generated configuration; {@code upstreamYaml} to the upstream entry.
 */
final class GatewayHarness implements AutoCloseable {

  final Vertx upstreamVertx = Vertx.vertx();
  final SimulatedUpstream upstream;
  final Vertx gatewayVertx;
  final Gateway gateway;
  final Path configFile;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private GatewayHarness(SimulatorOptions options, String upstreamYaml, String extraYaml, boolean replaceServer,
      boolean watch, List<Stage> stages, List<ResponseFilterFactory> filters, List<PublicEndpoint> endpoints) {
    upstream = SimulatedUpstream.start(upstreamVertx, options).await();
    try {
      configFile = Files.createTempFile("portcullis", ".yaml");
      String yaml = yaml(upstream.baseUrl(), upstreamYaml, replaceServer ? "" : extraYaml);
      if (replaceServer) {
        yaml = extraYaml + yaml.substring(yaml.indexOf("admin:"));
      }
      Files.writeString(configFile, yaml);
      LiveConfig live = LiveConfig.load(configFile, null, null);
      gatewayVertx = Gateway.createVertx(live.current());
      Gateway.Builder builder = Gateway.builder(live).watchFile(watch);
      stages.forEach(builder::stage);
      filters.forEach(builder::responseFilter);
      endpoints.forEach(builder::endpoint);
      gateway = builder.start(gatewayVertx).await();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (dev.portcullis.config.ConfigException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  static String yaml(String upstreamUrl, String upstreamYaml, String extraYaml) {
    return """
        server:
          event-loops: 2
          listeners:
            - name: public
              host: 127.0.0.1
              port: 0
              h2c: true
        admin:
          host: 127.0.0.1
          port: 0
        upstreams:
          - name: simulator
            base-url: "%s"
            api-key: sk-provider-secret-0123456789
            models: [sim-small, sim-large, sim-embed, sim-error-400, sim-error-429, sim-error-500, sim-stall, sim-stall-stream]
        %s
        %s""".formatted(upstreamUrl, indent(upstreamYaml), extraYaml);
  }

  private static String indent(String yaml) {
    return yaml.isBlank() ? "" : yaml.lines().map(l -> "    " + l).reduce((a, b) -> a + "\n" + b).orElse("");
  }

  static Builder builder() {
    return new Builder();
  }

  static final class Builder {
    SimulatorOptions options = SimulatorOptions.defaults();
    String upstreamYaml = "";
    String extraYaml = "";
    boolean replaceServer;
    boolean watch;
    final List<Stage> stages = new ArrayList<>();
    final List<ResponseFilterFactory> filters = new ArrayList<>();
    final List<PublicEndpoint> endpoints = new ArrayList<>();

    Builder simulator(SimulatorOptions options) {
      this.options = options;
      return this;
    }

    Builder upstreamYaml(String yaml) {
      this.upstreamYaml = yaml;
      return this;
    }

    Builder extraYaml(String yaml) {
      this.extraYaml = yaml;
      return this;
    }

    /** Reload when the configuration file changes. */
    Builder watch() {
      this.watch = true;
      return this;
    }

    /** The extra YAML is a whole {@code server:} section that replaces the default one. */
    Builder replaceServer() {
      this.replaceServer = true;
      return this;
    }

    Builder stage(Stage stage) {
      stages.add(stage);
      return this;
    }

    Builder filter(ResponseFilterFactory filter) {
      filters.add(filter);
      return this;
    }

    Builder endpoint(PublicEndpoint endpoint) {
      endpoints.add(endpoint);
      return this;
    }

    GatewayHarness start() {
      return new GatewayHarness(options, upstreamYaml, extraYaml, replaceServer, watch, stages, filters, endpoints);
    }
  }

  String baseUrl() {
    return "http://127.0.0.1:" + gateway.port() + "/v1";
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + gateway.port() + path);
  }

  URI adminUri(String path) {
    return URI.create("http://127.0.0.1:" + gateway.adminPort() + path);
  }

  HttpResponse<String> post(String path, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b.build());
  }

  HttpResponse<String> get(URI uri) {
    return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build());
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String chat(String model, String content, boolean stream) {
    return "{\"model\":\"" + model + "\",\"stream\":" + stream
        + ",\"stream_options\":" + (stream ? "{\"include_usage\":true}" : "null")
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
  }

  @Override
  public void close() {
    try {
      gateway.stop().await();
    } finally {
      gatewayVertx.close().await();
      upstreamVertx.close().await();
      try {
        Files.deleteIfExists(configFile);
      } catch (IOException ignored) {
        // temp file
      }
    }
  }
}

package dev.portcullis.cli;

import dev.portcullis.config.ConfigException;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.LiveConfig;
import dev.portcullis.server.Gateway;
import dev.portcullis.testkit.SimulatedUpstream;
import dev.portcullis.testkit.SimulatorOptions;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code portcullis demo}: the gateway in front of a built-in simulated OpenAI-compatible upstream. Needs nothing
 * else installed; binds to loopback unless told otherwise.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the gateway in front of a built-in simulated LLM upstream.")
final class DemoCommand implements Callable<Integer> {

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "8080", description = "Gateway port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--admin-port", defaultValue = "9090", description = "Admin port (default: ${DEFAULT-VALUE}).")
  int adminPort;

  @Option(names = "--token-rate", defaultValue = "20", description = "Simulated tokens per second when streaming "
      + "(default: ${DEFAULT-VALUE}).")
  double tokenRate;

  @Option(names = "--first-token-delay", defaultValue = "200", description = "Simulated delay before the first "
      + "token, in milliseconds (default: ${DEFAULT-VALUE}).")
  long firstTokenDelayMillis;

  @Override
  public Integer call() throws Exception {
    if (tokenRate < 0 || firstTokenDelayMillis < 0) {
      System.err.println("portcullis demo: --token-rate and --first-token-delay must not be negative");
      return 2;
    }
    Vertx vertx = Vertx.vertx();
    SimulatedUpstream upstream = SimulatedUpstream.start(vertx, SimulatorOptions.defaults()
        .withRate(tokenRate, Duration.ofMillis(firstTokenDelayMillis)).withReplyTokens(24)).await();
    LiveConfig live;
    try {
      live = LiveConfig.fixed(ConfigLoader.parse(config(upstream.baseUrl()), System::getenv, Path.of(".")));
    } catch (ConfigException e) {
      System.err.println("portcullis demo: " + String.join("; ", e.problems()));
      vertx.close();
      return 1;
    }
    Vertx gatewayVertx = Gateway.createVertx(live.current());
    Gateway gateway;
    try {
      gateway = Gateway.builder(live).start(gatewayVertx).await();
    } catch (RuntimeException e) {
      System.err.println("portcullis demo: cannot start: " + e.getMessage());
      vertx.close();
      gatewayVertx.close();
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      Lifecycle.stop(gateway, gatewayVertx);
      vertx.close();
    }, "portcullis-shutdown"));
    String base = "http://" + (host.equals("0.0.0.0") ? "127.0.0.1" : host) + ":" + gateway.port();
    System.out.println(banner(base, upstream.baseUrl(), gateway.adminPort()));
    System.out.flush();
    Lifecycle.awaitForever();
    return 0;
  }

  private String config(String upstreamUrl) {
    return """
        server:
          listeners:
            - name: public
              host: "%s"
              port: %d
        admin:
          host: "127.0.0.1"
          port: %d
        upstreams:
          - name: simulator
            base-url: "%s"
            models: [sim-small, sim-large, sim-embed]
        """.formatted(host, port, adminPort, upstreamUrl);
  }

  private static String banner(String base, String upstream, int adminPort) {
    return """

        Portcullis demo is running.
          gateway:   %s/v1   (OpenAI-compatible; models sim-small, sim-large, sim-embed)
          upstream:  %s   (built-in simulator)
          metrics:   http://127.0.0.1:%d/metrics

        Try:
          curl -s %s/v1/chat/completions -H 'content-type: application/json' \\
            -d '{"model":"sim-small","messages":[{"role":"user","content":"Hello"}]}'

          curl -sN %s/v1/chat/completions -H 'content-type: application/json' \\
            -d '{"model":"sim-small","stream":true,"messages":[{"role":"user","content":"Hello"}]}'

        Press Ctrl+C to stop.
        """.formatted(base, upstream, adminPort, base, base);
  }
}

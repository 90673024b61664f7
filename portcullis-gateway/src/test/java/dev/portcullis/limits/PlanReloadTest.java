package dev.portcullis.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.app.Portcullis;
import dev.portcullis.config.LiveConfig;
import dev.portcullis.server.Gateway;
import dev.portcullis.testkit.SimulatedUpstream;
import dev.portcullis.testkit.SimulatorOptions;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plan edits take effect on reload, without a restart: limits, model allow-lists and output bounds. */
class PlanReloadTest {

  static final HttpClient http = HttpClient.newHttpClient();

  static final String CONFIG = """
      server: {event-loops: 1, listeners: [{name: public, host: 127.0.0.1, port: 0}]}
      admin: {host: 127.0.0.1, port: 0}
      upstreams: [{name: sim, base-url: "%s", models: [sim-small, sim-large]}]
      identity: {mode: none}
      limits:
        default-plan: open
        plans:
          open:
            models: [%s]
            max-output-tokens: %d
            limits:
              - {name: open-rpm, per: [ip], unit: requests, algorithm: sliding-window, limit: %d, period: 1h}
      """;

  static HttpResponse<String> chat(Portcullis p, String model, int maxTokens) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.gateway().port()
        + "/v1/chat/completions")).header("content-type", "application/json").POST(HttpRequest.BodyPublishers
        .ofString("{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens
            + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> reload(Portcullis p) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.gateway().adminPort()
        + "/admin/reload")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void planEditsApplyOnReloadWithoutARestart(@TempDir Path dir) throws Exception {
    Vertx upstreamVertx = Vertx.vertx();
    SimulatedUpstream upstream = SimulatedUpstream.start(upstreamVertx, SimulatorOptions.defaults()).await();
    Path file = dir.resolve("portcullis.yaml");
    Files.writeString(file, CONFIG.formatted(upstream.baseUrl(), "sim-small", 100, 2));
    LiveConfig live = LiveConfig.load(file, Portcullis.SECTIONS, null, null);
    Vertx vertx = Gateway.createVertx(live.current());
    Portcullis portcullis = Portcullis.start(vertx, live, Clock.systemUTC());
    try {
      assertThat(chat(portcullis, "sim-small", 5).statusCode()).isEqualTo(200);
      assertThat(chat(portcullis, "sim-small", 5).statusCode()).isEqualTo(200);
      assertThat(chat(portcullis, "sim-small", 5).statusCode()).isEqualTo(429);
      // a model outside the plan answers like an unknown one
      assertThat(chat(portcullis, "sim-large", 5).statusCode()).isEqualTo(404);
      assertThat(chat(portcullis, "sim-small", 500).statusCode()).isEqualTo(400);

      Files.writeString(file, CONFIG.formatted(upstream.baseUrl(), "sim-small, sim-large", 1000, 10));
      assertThat(reload(portcullis).statusCode()).isEqualTo(200);

      // the same counter, now against the new limit: two used of ten
      HttpResponse<String> admitted = chat(portcullis, "sim-large", 500);
      assertThat(admitted.statusCode()).isEqualTo(200);
      assertThat(admitted.headers().allValues("x-ratelimit-limit-requests")).containsExactly("10");
      assertThat(admitted.headers().allValues("x-ratelimit-remaining-requests")).containsExactly("7");
      assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + portcullis.gateway().adminPort()
          + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body())
          .contains("portcullis_limit_store_evictions_total 0.0");
    } finally {
      portcullis.stop().await();
      vertx.close().await();
      upstreamVertx.close().await();
    }
  }
}

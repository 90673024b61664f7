package dev.portcullis.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.app.Portcullis;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.LiveConfig;
import dev.portcullis.testkit.SimulatedUpstream;
import dev.portcullis.testkit.SimulatorOptions;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An upstream at capacity sheds normal traffic with 503 + Retry-After and never refuses critical traffic. */
class UpstreamProtectionTest {

  static Vertx upstreamVertx;
  static SimulatedUpstream upstream;
  static Vertx vertx;
  static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() {
    upstreamVertx = Vertx.vertx();
    upstream = SimulatedUpstream.start(upstreamVertx,
        SimulatorOptions.defaults().withRate(0, Duration.ofMillis(600))).await();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
    upstreamVertx.close().await();
  }

  static Portcullis gateway(String priority) throws Exception {
    String yaml = """
        server: {event-loops: 1, listeners: [{name: public, host: 127.0.0.1, port: 0}]}
        admin: {host: 127.0.0.1, port: 0}
        upstreams:
          - name: sim
            base-url: "%s"
            models: [sim-small]
            concurrency: {initial: 1, min: 1, max: 1, max-waiting: 1, max-wait: 100ms}
        identity: {mode: none}
        limits:
          default-plan: only
          plans:
            only: {priority: %s, limits: []}
        """.formatted(upstream.baseUrl(), priority);
    return Portcullis.start(vertx, LiveConfig.fixed(ConfigLoader.parse(yaml, Map.<String, String>of()::get,
        Files.createTempDirectory("protect"), Portcullis.SECTIONS)), Clock.systemUTC());
  }

  static List<HttpResponse<String>> burst(Portcullis gateway, int n) {
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.gateway().port()
          + "/v1/chat/completions")).header("content-type", "application/json").POST(
          HttpRequest.BodyPublishers.ofString("{\"model\":\"sim-small\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    return all.stream().map(CompletableFuture::join).toList();
  }

  @Test
  void normalTrafficBeyondCapacityIsShedWithRetryAfter() throws Exception {
    Portcullis gateway = gateway("normal");
    try {
      List<HttpResponse<String>> answers = burst(gateway, 4);
      List<HttpResponse<String>> shed = answers.stream().filter(r -> r.statusCode() == 503).toList();
      assertThat(answers.stream().filter(r -> r.statusCode() == 200).count()).isEqualTo(1);
      assertThat(shed).hasSize(3).allSatisfy(r -> {
        assertThat(r.headers().firstValue("retry-after")).hasValue("1");
        assertThat(r.body()).contains("upstream_overloaded");
      });
    } finally {
      gateway.stop().await();
    }
  }

  @Test
  void criticalTrafficIsNeverShed() throws Exception {
    Portcullis gateway = gateway("critical");
    try {
      assertThat(burst(gateway, 4)).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
    } finally {
      gateway.stop().await();
    }
  }
}

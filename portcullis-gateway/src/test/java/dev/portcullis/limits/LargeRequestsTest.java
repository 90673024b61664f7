package dev.portcullis.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.app.Portcullis;
import dev.portcullis.config.ConfigLoader;
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
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 item 11: a large request can neither hold up the event loop that serves other requests nor be sent without
 * limit. A megabyte prompt of one repeated letter (the worst case for byte-pair encoding, which took seconds) is
 * counted off the event loop, and a large request is charged to its request limits before its tokens are counted.
 */
class LargeRequestsTest {

  static final ObjectMapper JSON = new ObjectMapper();
  /** The most a light request may be delayed by a heavy one on the same event loop. */
  static final Duration BOUND = Duration.ofMillis(500);
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  Vertx upstreamVertx;
  Vertx vertx;
  Portcullis portcullis;

  void start(String limits) throws Exception {
    start(limits, "");
  }

  void start(String limits, String extra) throws Exception {
    upstreamVertx = Vertx.vertx();
    SimulatedUpstream upstream = SimulatedUpstream.start(upstreamVertx, SimulatorOptions.defaults()).await();
    String yaml = """
        server: {event-loops: 1, listeners: [{name: public, host: 127.0.0.1, port: 0}]}
        admin: {host: 127.0.0.1, port: 0}
        routes: {embeddings: {max-body-bytes: 2097152}, chat-completions: {max-body-bytes: 2097152}}
        upstreams: [{name: sim, base-url: "%s", models: [sim-small, sim-embed]}]
        %s
        identity: {mode: none}
        limits:
          default-plan: open
          plans:
            open:
              limits:
        %s
        """.formatted(upstream.baseUrl(), extra, limits.indent(8));
    LiveConfig live = LiveConfig.fixed(ConfigLoader.parse(yaml, Map.<String, String>of()::get,
        Files.createTempDirectory("large"), Portcullis.SECTIONS));
    vertx = Gateway.createVertx(live.current());
    portcullis = Portcullis.start(vertx, live, Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    portcullis.stop().await();
    vertx.close().await();
    upstreamVertx.close().await();
  }

  HttpRequest embeddings(String input) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + portcullis.gateway().port() + "/v1/embeddings"))
        .timeout(Duration.ofSeconds(60)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"sim-embed\",\"input\":\"" + input + "\"}")).build();
  }

  @Test
  void aMegabytePromptDoesNotDelayALightRequestOnTheSameEventLoop() throws Exception {
    start("- {name: tpm, per: [ip], unit: tokens, algorithm: token-bucket, limit: 10000000, period: 1m}");
    HttpRequest models = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + portcullis.gateway().port()
        + "/v1/models")).timeout(Duration.ofSeconds(30)).GET().build();
    assertThat(http.send(models, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    String heavy = "a".repeat(1_000_000);
    CompletableFuture<HttpResponse<String>> large = http.sendAsync(embeddings(heavy),
        HttpResponse.BodyHandlers.ofString());
    long slowest = 0;
    int light = 0;
    while (!large.isDone() || light < 20) {
      long t = System.nanoTime();
      assertThat(http.send(models, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
      slowest = Math.max(slowest, System.nanoTime() - t);
      light++;
    }
    assertThat(large.join().statusCode()).as(large.join().body()).isEqualTo(200);
    assertThat(Duration.ofNanos(slowest)).isLessThan(BOUND);
  }

  /** The same with the input guards on: the megabyte is scanned for PII, secrets and injection off the event loop. */
  @Test
  void aMegabytePromptUnderGuardsDoesNotDelayALightRequest() throws Exception {
    start("- {name: tpm, per: [ip], unit: tokens, algorithm: token-bucket, limit: 10000000, period: 1m}",
        "guards: {profiles: {strict: {input: {action: redact}, injection: {profile: balanced}}}}");
    HttpRequest models = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + portcullis.gateway().port()
        + "/v1/models")).timeout(Duration.ofSeconds(30)).GET().build();
    assertThat(http.send(models, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    // contact details make the PII scanner work hardest: every number is parsed and validated
    String prose = "Call Dana at +1 415 555 0134 or dana.k@example.org about card 4111 1111 1111 1111. ";
    String heavy = "a".repeat(200_000) + prose.repeat(1_500_000 / prose.length());
    CompletableFuture<HttpResponse<String>> large = http.sendAsync(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + portcullis.gateway().port() + "/v1/chat/completions")).timeout(Duration.ofSeconds(60))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"sim-small\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\""
                + heavy + "\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
    long slowest = 0;
    int light = 0;
    while (!large.isDone() || light < 20) {
      long t = System.nanoTime();
      assertThat(http.send(models, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
      slowest = Math.max(slowest, System.nanoTime() - t);
      light++;
    }
    assertThat(large.join().statusCode()).as(large.join().body()).isEqualTo(200);
    assertThat(Duration.ofNanos(slowest)).isLessThan(BOUND);
  }

  @Test
  void largeRequestsRefusedForTheirSizeStillCountAgainstTheRequestLimit() throws Exception {
    start("""
        - {name: rpm, per: [ip], unit: requests, algorithm: sliding-window, limit: 20, period: 1m}
        - {name: tpm, per: [ip], unit: tokens, algorithm: token-bucket, limit: 1000, period: 1m}""");
    String big = "lorem ipsum dolor sit amet ".repeat(10_000);
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> tooLarge = http.send(embeddings(big), HttpResponse.BodyHandlers.ofString());
      assertThat(tooLarge.statusCode()).isEqualTo(429);
      assertThat(JSON.readTree(tooLarge.body()).path("error").path("limit").asText()).isEqualTo("tpm");
    }
    HttpResponse<String> counted = http.send(embeddings(big), HttpResponse.BodyHandlers.ofString());
    assertThat(counted.statusCode()).isEqualTo(429);
    assertThat(JSON.readTree(counted.body()).path("error").path("limit").asText()).isEqualTo("rpm");
    assertThat(counted.headers().firstValue("retry-after")).isPresent();
  }
}

package dev.portcullis.server;

import static dev.portcullis.server.GatewayHarness.chat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testkit.SimulatorOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StreamingTest {

  /**
   * The upstream writes its first content event and then waits for the test's go-ahead before writing anything
   * else. The client must see the first event while the upstream is still waiting: nothing is buffered.
   */
  @Test
  void firstEventReachesClientBeforeUpstreamSendsSecond() throws Exception {
    CompletableFuture<Void> clientSawFirst = new CompletableFuture<>();
    AtomicInteger sentBeforeRelease = new AtomicInteger();
    SimulatorOptions options = SimulatorOptions.defaults().withReplyTokens(3).withPacer(index -> {
      if (index <= 1) {
        sentBeforeRelease.incrementAndGet();
        return Future.succeededFuture();
      }
      Promise<Void> go = Promise.promise();
      clientSawFirst.whenComplete((v, e) -> go.complete());
      return go.future();
    });
    try (GatewayHarness h = GatewayHarness.builder().simulator(options).start()) {
      HttpRequest request = HttpRequest.newBuilder(h.uri("/v1/chat/completions")).timeout(Duration.ofSeconds(20))
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(chat("sim-small", "no buffering", true))).build();
      HttpResponse<java.io.InputStream> res = h.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      assertThat(res.statusCode()).isEqualTo(200);
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
        // events 0 (role) and 1 (first token) were sent; event 2 waits for clientSawFirst
        String first = reader.readLine();
        assertThat(first).startsWith("data: ").contains("\"role\":\"assistant\"");
        assertThat(reader.readLine()).isEmpty();
        String second = reader.readLine();
        assertThat(second).startsWith("data: ").contains("\"content\":");
        assertThat(clientSawFirst).isNotDone();
        assertThat(sentBeforeRelease.get()).isEqualTo(2);
        clientSawFirst.complete(null);
        StringBuilder rest = new StringBuilder();
        String line;
        while ((line = reader.readLine()) != null) {
          rest.append(line).append('\n');
        }
        assertThat(rest.toString()).contains("data: [DONE]");
      }
    }
  }

  @Test
  void clientDisconnectCancelsTheUpstreamStream() throws Exception {
    SimulatorOptions slow = SimulatorOptions.defaults().withReplyTokens(200).withRate(20, Duration.ZERO);
    try (GatewayHarness h = GatewayHarness.builder().simulator(slow).start()) {
      HttpRequest request = HttpRequest.newBuilder(h.uri("/v1/chat/completions")).timeout(Duration.ofSeconds(20))
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(chat("sim-small", "cancel me", true))).build();
      HttpResponse<java.io.InputStream> res = h.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (var body = res.body()) {
        assertThat(body.read(new byte[64])).isPositive();
      }
      org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS).untilAsserted(() ->
          assertThat(h.get(h.adminUri("/metrics")).body())
              .contains("portcullis_streams_total{outcome=\"client_closed\"} 1.0")
              .contains("portcullis_streams_in_flight 0.0"));
    }
  }
}

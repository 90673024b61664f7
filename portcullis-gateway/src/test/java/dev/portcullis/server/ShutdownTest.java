package dev.portcullis.server;

import static dev.portcullis.server.GatewayHarness.chat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testkit.SimulatorOptions;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ShutdownTest {

  /** A stream that is under way when shutdown starts runs to its end; readiness turns false at once. */
  @Test
  void inFlightStreamFinishesDuringGracefulShutdown() throws Exception {
    SimulatorOptions slow = SimulatorOptions.defaults().withReplyTokens(20).withRate(25, Duration.ZERO);
    GatewayHarness h = GatewayHarness.builder().simulator(slow).start();
    try {
      HttpRequest request = HttpRequest.newBuilder(h.uri("/v1/chat/completions")).timeout(Duration.ofSeconds(20))
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(chat("sim-small", "drain me", true))).build();
      HttpResponse<java.io.InputStream> res = h.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      var body = res.body();
      assertThat(body.read(new byte[16])).isPositive();

      CompletableFuture<Void> stopped = h.gateway.stop().toCompletionStage().toCompletableFuture();
      assertThat(h.get(h.adminUri("/readyz")).statusCode()).isEqualTo(503);
      String rest = new String(body.readAllBytes());
      assertThat(rest).endsWith("data: [DONE]\n\n");
      stopped.get(10, TimeUnit.SECONDS);
    } finally {
      h.gatewayVertx.close().await();
      h.upstreamVertx.close().await();
    }
  }
}

package dev.portcullis.server;

import static dev.portcullis.server.GatewayHarness.chat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.pipeline.Decision;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A finished exchange must not stay reachable: the upstream idle timer used to be re-armed after the response
 * headers and kept every finished request (body, headers, parsers) in memory for the whole idle timeout, which
 * under load filled the heap and collapsed throughput.
 */
class ExchangeReleaseTest {

  @Test
  void finishedExchangesAreReleasedLongBeforeTheIdleTimeout() {
    AtomicReference<WeakReference<Object>> whole = new AtomicReference<>();
    AtomicReference<WeakReference<Object>> streamed = new AtomicReference<>();
    try (GatewayHarness h = GatewayHarness.builder().stage(exchange -> {
      (exchange.stream() ? streamed : whole).set(new WeakReference<>(exchange));
      return Decision.CONTINUE_NOW;
    }).upstreamYaml("idle-timeout: 10m").start()) {
      assertThat(h.post("/v1/chat/completions", chat("sim-small", "whole", false)).statusCode()).isEqualTo(200);
      assertThat(h.post("/v1/chat/completions", chat("sim-small", "stream", true)).statusCode()).isEqualTo(200);
      Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
        System.gc();
        return whole.get().get() == null && streamed.get().get() == null;
      });
    }
  }
}

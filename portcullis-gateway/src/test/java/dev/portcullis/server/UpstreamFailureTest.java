package dev.portcullis.server;

import static dev.portcullis.server.GatewayHarness.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UpstreamFailureTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static GatewayHarness h;

  @BeforeAll
  static void start() throws Exception {
    int closedPort;
    try (var s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    h = GatewayHarness.builder()
        .upstreamYaml("""
            first-byte-timeout: 700ms
            idle-timeout: 700ms
            """)
        .extraYaml("""
              - name: dead
                base-url: "http://127.0.0.1:%d/v1"
                models: [dead-model]
                connect-timeout: 1s
            """.formatted(closedPort))
        .start();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  @Test
  void refusedConnectionIs502() throws Exception {
    HttpResponse<String> res = h.post("/v1/chat/completions", chat("dead-model", "x", false));
    assertThat(res.statusCode()).isEqualTo(502);
    assertThat(JSON.readTree(res.body()).path("error").path("code").asText()).isEqualTo("upstream_unavailable");
  }

  @Test
  void noFirstByteWithinTimeoutIs504() throws Exception {
    HttpResponse<String> res = h.post("/v1/chat/completions", chat("sim-stall", "x", false));
    assertThat(res.statusCode()).isEqualTo(504);
    assertThat(JSON.readTree(res.body()).path("error").path("code").asText()).isEqualTo("upstream_timeout");
    assertThat(h.get(h.adminUri("/metrics")).body())
        .contains("portcullis_upstream_errors_total{kind=\"first_byte_timeout\",upstream=\"simulator\"}");
  }

  @Test
  void stalledStreamEndsWithSseErrorEvent() {
    HttpResponse<String> res = h.post("/v1/chat/completions", chat("sim-stall-stream", "x", true));
    assertThat(res.statusCode()).isEqualTo(200);
    String[] events = res.body().split("\n\n");
    assertThat(events[0]).startsWith("data: {").contains("chat.completion.chunk");
    assertThat(events[events.length - 1]).startsWith("data: {\"error\":").contains("upstream_timeout");
  }
}

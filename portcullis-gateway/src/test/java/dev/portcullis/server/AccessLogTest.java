package dev.portcullis.server;

import static dev.portcullis.server.GatewayHarness.chat;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** One JSON line per request, with ids, timings, sizes and token counts, and never a prompt, completion or key. */
class AccessLogTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  static GatewayHarness h;

  @BeforeAll
  static void start() {
    lines.start();
    ((Logger) LoggerFactory.getLogger("portcullis.access")).addAppender(lines);
    h = GatewayHarness.builder().start();
  }

  @AfterAll
  static void stop() {
    ((Logger) LoggerFactory.getLogger("portcullis.access")).detachAppender(lines);
    h.close();
  }

  static JsonNode lineFor(String requestId) {
    return Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> {
      synchronized (lines.list) {
        for (ILoggingEvent e : List.copyOf(lines.list)) {
          // lines arrive in batches: one logger event may carry several lines
          for (String line : e.getFormattedMessage().split("\n")) {
            JsonNode n = JSON.readTree(line);
            if (requestId.equals(n.path("request_id").asText())) {
              return n;
            }
          }
        }
      }
      return null;
    }, n -> n != null);
  }

  @Test
  void recordsAWholeRequestWithoutContent() {
    var res = h.post("/v1/chat/completions", chat("sim-small", "PROMPT-MARKER-7731", false),
        "x-request-id", "log-whole-1", "authorization", "Bearer CREDENTIAL-MARKER-5521",
        "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    JsonNode line = lineFor("log-whole-1");
    assertThat(line.path("route").asText()).isEqualTo("chat-completions");
    assertThat(line.path("gen_ai.request.model").asText()).isEqualTo("sim-small");
    assertThat(line.path("upstream").asText()).isEqualTo("simulator");
    assertThat(line.path("http.response.status_code").asInt()).isEqualTo(200);
    assertThat(line.path("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(line.path("gen_ai.usage.input_tokens").asInt()).isPositive();
    assertThat(line.path("gen_ai.usage.output_tokens").asInt()).isEqualTo(16);
    assertThat(line.path("bytes_in").asLong()).isPositive();
    assertThat(line.path("bytes_out").asLong()).isGreaterThanOrEqualTo(res.body().length());
    assertThat(line.path("duration_ms").asDouble()).isPositive();
    assertThat(line.path("upstream_ms").asDouble()).isPositive();
    String text = line.toString();
    String completion = res.body().substring(res.body().indexOf("\"content\":\"") + 11, res.body().indexOf("\",\"refusal"));
    assertThat(text).doesNotContain("PROMPT-MARKER").doesNotContain("CREDENTIAL-MARKER")
        .doesNotContain("sk-provider-secret").doesNotContain(completion);
  }

  @Test
  void recordsStreamUsageFromTheFinalChunk() {
    h.post("/v1/chat/completions", chat("sim-small", "PROMPT-MARKER-stream", true), "x-request-id", "log-stream-1");
    JsonNode line = lineFor("log-stream-1");
    assertThat(line.path("stream").asBoolean()).isTrue();
    assertThat(line.path("stream.outcome").asText()).isEqualTo("complete");
    assertThat(line.path("gen_ai.usage.output_tokens").asInt()).isEqualTo(16);
    assertThat(line.toString()).doesNotContain("PROMPT-MARKER");
  }

  @Test
  void recordsRejectionsWithTheirCode() {
    h.post("/v1/chat/completions", chat("missing-model", "x", false), "x-request-id", "log-reject-1");
    JsonNode line = lineFor("log-reject-1");
    assertThat(line.path("http.response.status_code").asInt()).isEqualTo(404);
    assertThat(line.path("error.code").asText()).isEqualTo("model_not_found");
  }

  @Test
  void exposesRequestAndTokenMetrics() {
    h.post("/v1/chat/completions", chat("sim-small", "metrics", false));
    String metrics = h.get(h.adminUri("/metrics")).body();
    assertThat(metrics)
        .contains("portcullis_requests_total{route=\"chat-completions\",status=\"200\"}")
        .contains("portcullis_request_duration_seconds_bucket{route=\"chat-completions\"")
        .contains("portcullis_upstream_duration_seconds_bucket{upstream=\"simulator\"")
        .contains("portcullis_tokens_total{direction=\"output\",model=\"sim-small\"}")
        .contains("portcullis_streams_in_flight");
    assertThat(h.get(h.adminUri("/healthz")).statusCode()).isEqualTo(200);
    assertThat(h.get(h.adminUri("/readyz")).statusCode()).isEqualTo(200);
  }
}

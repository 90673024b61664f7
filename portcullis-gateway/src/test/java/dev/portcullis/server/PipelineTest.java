package dev.portcullis.server;

import static dev.portcullis.server.GatewayHarness.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.pipeline.ApiError;
import dev.portcullis.pipeline.Decision;
import dev.portcullis.pipeline.Exchange;
import dev.portcullis.pipeline.ResponseFilter;
import dev.portcullis.pipeline.SseEvent;
import dev.portcullis.pipeline.Stage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Stages and response filters plugged into a running gateway, exercised over HTTP. */
class PipelineTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static GatewayHarness h;

  /** Rejects requests that carry {@code x-test-reject}. */
  static final class RejectingStage implements Stage {
    @Override
    public Future<Decision> apply(Exchange exchange) {
      if (exchange.requestHeaders().contains("x-test-reject")) {
        return Future.succeededFuture(new Decision.Reject(429, new ApiError("Slow down.", "rate_limit_error", null,
            "test_limit"), Map.of("retry-after", "7")));
      }
      return Decision.CONTINUE_NOW;
    }
  }

  /** Throws for {@code x-test-throw}: the gateway must fail closed. */
  static final class ThrowingStage implements Stage {
    @Override
    public Future<Decision> apply(Exchange exchange) {
      if (exchange.requestHeaders().contains("x-test-throw")) {
        throw new IllegalStateException("secret internal detail");
      }
      return Decision.CONTINUE_NOW;
    }
  }

  /** Decides later, on a timer, and rewrites the body: proves async stages and body changes work. */
  static final class AsyncRewritingStage implements Stage {
    @Override
    public Future<Decision> apply(Exchange exchange) {
      if (!exchange.requestHeaders().contains("x-test-async")) {
        return Decision.CONTINUE_NOW;
      }
      Promise<Decision> later = Promise.promise();
      Vertx.currentContext().owner().setTimer(50, t -> {
        exchange.body().put("user", "rewritten-by-stage");
        exchange.responseHeaders().add("x-stage-was-here", "yes");
        later.complete(Decision.CONTINUE);
      });
      return later.future();
    }
  }

  /** For {@code x-test-cut}: lets three events through, then ends the stream with an error. */
  static ResponseFilter cutAfterThree(Exchange exchange) {
    if (!exchange.requestHeaders().contains("x-test-cut")) {
      return ResponseFilter.PASS_THROUGH;
    }
    return new ResponseFilter() {
      int seen;

      @Override
      public Result onEvent(SseEvent event) {
        return ++seen <= 3 ? Result.PASS : new Result.End(400, new ApiError("Output blocked by policy.",
            "invalid_request_error", null, "output_blocked"));
      }

      @Override
      public Result onBody(Buffer body) {
        return new Result.Emit(List.of(Buffer.buffer(body.toString().replaceAll("[a-z]", "x"))));
      }

      @Override
      public Result finish() {
        return Result.PASS;
      }
    };
  }

  static final java.util.concurrent.ConcurrentLinkedQueue<dev.portcullis.pipeline.Completion> completions =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  /** Records how exchanges marked {@code x-test-complete} ended; registers a second, throwing listener too. */
  static Future<Decision> recordCompletion(Exchange exchange) {
    if (exchange.requestHeaders().contains("x-test-complete")) {
      exchange.onComplete(c -> {
        throw new IllegalStateException("listener failure must not stop the others");
      });
      exchange.onComplete(completions::add);
    }
    return Decision.CONTINUE_NOW;
  }

  @BeforeAll
  static void start() {
    h = GatewayHarness.builder().stage(PipelineTest::recordCompletion).stage(new RejectingStage())
        .stage(new ThrowingStage())
        .stage(new AsyncRewritingStage()).filter(PipelineTest::cutAfterThree).start();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  @Test
  void completionListenersRunOnceWithUsageAndOutcome() {
    completions.clear();
    h.post("/v1/chat/completions", chat("sim-small", "x", true), "x-test-complete", "1");
    h.post("/v1/chat/completions", chat("sim-small", "x", false), "x-test-complete", "1", "x-test-reject", "1");
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> completions.size() >= 2);
    var list = List.copyOf(completions);
    assertThat(list).hasSize(2);
    assertThat(list.get(0)).isEqualTo(new dev.portcullis.pipeline.Completion(200, true, 200, 4, 16, "complete"));
    assertThat(list.get(1).status()).isEqualTo(429);
    assertThat(list.get(1).forwarded()).isFalse();
    assertThat(list.get(1).outcome()).isEqualTo("rejected");
    assertThat(h.get(h.adminUri("/metrics")).body())
        .contains("portcullis_stage_failures_total{stage=\"completion-listener\"}");
  }

  /** Issue 11 item 6: each stage's time is a metric, and its position shows the order. */
  @Test
  void eachStageIsTimedWithItsPosition() {
    h.post("/v1/chat/completions", chat("sim-small", "x", false), "x-test-async", "1");
    String metrics = h.get(h.adminUri("/metrics")).body();
    assertThat(metrics).contains("portcullis_stage_seconds_count{position=\"3\",stage=\"ThrowingStage\"}")
        .contains("portcullis_stage_seconds_bucket{position=\"4\",stage=\"AsyncRewritingStage\",le=\"0.1\"}");
    // the asynchronous stage decides on a timer: its time covers the wait, not only its call
    double sum = metrics.lines().filter(l -> l.startsWith(
            "portcullis_stage_seconds_sum{position=\"4\",stage=\"AsyncRewritingStage\"}"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    assertThat(sum).isGreaterThan(0.04);
  }

  @Test
  void rejectionBecomesOpenAiErrorWithHeaders() throws Exception {
    HttpResponse<String> res = h.post("/v1/chat/completions", chat("sim-small", "x", false), "x-test-reject", "1");
    assertThat(res.statusCode()).isEqualTo(429);
    assertThat(res.headers().firstValue("retry-after")).hasValue("7");
    assertThat(JSON.readTree(res.body()).path("error").path("code").asText()).isEqualTo("test_limit");
  }

  @Test
  void throwingStageFailsClosedWithRequestIdAndIsCounted() throws Exception {
    HttpResponse<String> res = h.post("/v1/chat/completions", chat("sim-small", "x", false), "x-test-throw", "1",
        "x-request-id", "req-throw-1");
    assertThat(res.statusCode()).isEqualTo(500);
    assertThat(res.body()).contains("req-throw-1").doesNotContain("secret internal detail")
        .doesNotContain("Exception");
    assertThat(h.get(h.adminUri("/metrics")).body())
        .contains("portcullis_stage_failures_total{stage=\"ThrowingStage\"} 1.0");
  }

  @Test
  void asyncStageContinuesAndItsBodyChangeGoesUpstream() {
    HttpResponse<String> res = h.post("/v1/chat/completions", chat("sim-small", "x", false), "x-test-async", "1");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("x-stage-was-here")).hasValue("yes");
    assertThat(h.upstream.lastRequest().body()).contains("\"user\":\"rewritten-by-stage\"");
  }

  @Test
  void filterEndsAStreamWithAWellFormedErrorEvent() throws Exception {
    HttpResponse<String> res = h.post("/v1/chat/completions", chat("sim-small", "x", true), "x-test-cut", "1");
    assertThat(res.statusCode()).isEqualTo(200);
    String[] events = res.body().split("\n\n");
    assertThat(events).hasSize(4);
    assertThat(events[3]).startsWith("data: ");
    assertThat(JSON.readTree(events[3].substring(6)).path("error").path("code").asText()).isEqualTo("output_blocked");
    assertThat(res.body()).doesNotContain("[DONE]");
  }

  @Test
  void filterRewritesWholeResponses() throws Exception {
    HttpResponse<String> res = h.post("/v1/chat/completions", chat("sim-small", "x", false), "x-test-cut", "1");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).doesNotContainPattern("[a-w]");
    assertThat(res.headers().firstValue("content-length")).hasValue(Integer.toString(res.body().length()));
  }
}

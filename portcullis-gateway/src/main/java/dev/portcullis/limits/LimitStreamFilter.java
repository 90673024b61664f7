package dev.portcullis.limits;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.limit.Lease;
import dev.portcullis.limit.config.LimitsConfig;
import dev.portcullis.limit.tokens.StreamBudget;
import dev.portcullis.limit.tokens.StreamTokenCounter;
import dev.portcullis.limit.tokens.TokenEstimator;
import dev.portcullis.pipeline.ApiError;
import dev.portcullis.pipeline.Exchange;
import dev.portcullis.pipeline.ResponseFilter;
import dev.portcullis.pipeline.ResponseFilterFactory;
import dev.portcullis.pipeline.SseEvent;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.List;

/**
 * Enforces the token quota while a stream runs: counts the output of each event and, when prompt plus output
 * passes what the caller had left at admission, ends the stream with an error event ({@code stream-overflow: cut})
 * or lets it finish and carry the debt. Also hides the usage-only chunk the gateway asked for when the client did
 * not ask for it itself.
 */
public final class LimitStreamFilter implements ResponseFilterFactory {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ApiError QUOTA = new ApiError(
      "The response was ended because it exceeded the remaining token quota.", "rate_limit_error", null,
      "token_quota_exceeded");

  private final TokenEstimator estimator;

  public LimitStreamFilter(TokenEstimator estimator) {
    this.estimator = estimator;
  }

  @Override
  public ResponseFilter create(Exchange exchange) {
    Lease lease = exchange.get(LimitStage.LEASE);
    LimitsConfig config = LimitsSection.config(exchange.config());
    if (lease == null || !exchange.stream() || config == null) {
      return ResponseFilter.PASS_THROUGH;
    }
    long[] counted = new long[1];
    exchange.put(LimitStage.STREAMED_OUTPUT, counted);
    boolean hideUsage = !Boolean.TRUE.equals(exchange.get(LimitStage.CLIENT_WANTS_USAGE));
    StreamBudget budget = new StreamBudget(lease, config.streamOverflow());
    StreamTokenCounter counter = new StreamTokenCounter(estimator, exchange.model(), lease.reservedPromptTokens());
    String model = exchange.model();
    return new ResponseFilter() {
      long responsesOutput;

      @Override
      public Result onEvent(SseEvent event) {
        String data = event.data();
        if (data == null || event.isDone()) {
          return Result.PASS;
        }
        JsonNode chunk;
        try {
          chunk = JSON.readTree(data);
        } catch (IOException e) {
          return Result.PASS;
        }
        if (chunk == null || !chunk.isObject()) {
          return Result.PASS;
        }
        // Responses streams: every generated text arrives as a `*.delta` event (output text, refusals, function
        // arguments, reasoning, tool inputs); all of it is output the model produced
        JsonNode delta = chunk.get("delta");
        if (delta != null && delta.isTextual() && chunk.path("type").asText().endsWith(".delta")) {
          responsesOutput += estimator.countText(model, delta.asText());
        }
        counted[0] = counter.onChunk(chunk) + responsesOutput;
        if (hideUsage && chunk.path("usage").isObject() && chunk.path("choices").isArray()
            && chunk.path("choices").isEmpty()) {
          return new Result.Emit(List.of());
        }
        return budget.check(counted[0]) == StreamBudget.Verdict.CUT ? new Result.End(429, QUOTA) : Result.PASS;
      }

      @Override
      public Result onBody(Buffer body) {
        return Result.PASS;
      }

      @Override
      public Result finish() {
        return Result.PASS;
      }
    };
  }
}

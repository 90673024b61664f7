package dev.portcullis.limit.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.limit.Usage;
import java.util.Optional;

/**
 * Counts the output of one OpenAI-style stream as its chunks pass, for the mid-stream quota check and for
 * settlement when the upstream reports no usage. Each delta is counted on its own, which can only
 * over-count slightly against counting the joined text (a token split across two chunks counts twice);
 * no text is kept. Not thread-safe: one counter per stream, fed in order.
 */
public final class StreamTokenCounter {
    private final TokenEstimator estimator;
    private final String model;
    private final long promptTokens;
    private long outputTokens;
    private Usage reported;

    /** {@code promptTokens}: the estimate made before the call, used if the upstream reports none. */
    public StreamTokenCounter(TokenEstimator estimator, String model, long promptTokens) {
        this.estimator = estimator;
        this.model = model;
        this.promptTokens = promptTokens;
    }

    /** Adds one parsed {@code data:} chunk; returns the output tokens counted so far. */
    public long onChunk(JsonNode chunk) {
        if (chunk == null) {
            return outputTokens;
        }
        StreamUsage.usage(chunk).ifPresent(u -> reported = u);
        JsonNode choices = chunk.get("choices");
        if (choices != null && choices.isArray()) {
            for (JsonNode choice : choices) {
                JsonNode delta = choice.has("delta") ? choice.get("delta") : choice;
                outputTokens += text(delta.get("content"));
                outputTokens += text(delta.get("text"));
                outputTokens += text(delta.get("reasoning_content"));
                JsonNode calls = delta.get("tool_calls");
                if (calls != null && calls.isArray()) {
                    for (JsonNode call : calls) {
                        outputTokens += text(call.path("function").get("name"));
                        outputTokens += text(call.path("function").get("arguments"));
                    }
                }
            }
        }
        return outputTokens;
    }

    /** Output tokens counted so far. */
    public long outputTokens() {
        return outputTokens;
    }

    /** The usage the upstream reported in a chunk, if it did. */
    public Optional<Usage> reported() {
        return Optional.ofNullable(reported);
    }

    /** What to settle with: the upstream's usage if reported, otherwise the prompt estimate and the count. */
    public Usage usage() {
        return reported != null ? reported : new Usage(promptTokens, outputTokens);
    }

    private long text(JsonNode v) {
        return v != null && v.isTextual() && !v.asText().isEmpty() ? estimator.countText(model, v.asText()) : 0;
    }
}

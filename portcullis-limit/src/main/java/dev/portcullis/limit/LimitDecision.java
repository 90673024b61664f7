package dev.portcullis.limit;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The limit stage's verdict for one request. Every variant carries the headers to send. */
public sealed interface LimitDecision {

    RateLimitStatus status();

    /** Forward the request; end {@code lease} exactly once. */
    record Admitted(Lease lease, RateLimitStatus status) implements LimitDecision {}

    /**
     * Do not forward. {@code limitName} is the configured name of the rule that refused (never a store key);
     * {@code retryAfter} is null when waiting cannot help (the request is larger than the limit).
     */
    record Refused(String limitName, Reason reason, Duration retryAfter, RateLimitStatus status)
            implements LimitDecision {

        /** 429 for limits, 403 for a plan or price the configuration lacks, 503 when limits fail closed. */
        public int httpStatus() {
            return switch (reason) {
                case OVER_LIMIT, TOO_LARGE -> 429;
                case UNPRICED_MODEL, UNKNOWN_PLAN -> 403;
                case STORE_UNAVAILABLE -> 503;
            };
        }

        /** Rate-limit headers plus {@code Retry-After} in whole seconds, rounded up. */
        public Map<String, String> headers() {
            Map<String, String> h = new LinkedHashMap<>();
            if (retryAfter != null) {
                h.put("Retry-After", Long.toString(Math.max(1, RateLimitStatus.ceilSeconds(retryAfter))));
            }
            h.putAll(status.headers());
            return h;
        }

        /** OpenAI-compatible error body naming the limit. */
        public String errorBody() {
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            ObjectNode error = root.putObject("error");
            error.put("message", switch (reason) {
                case OVER_LIMIT -> "Rate limit reached for limit '" + limitName + "'. Retry after "
                        + Math.max(1, RateLimitStatus.ceilSeconds(retryAfter)) + "s.";
                case TOO_LARGE -> "Request is larger than limit '" + limitName + "' allows.";
                case UNPRICED_MODEL -> "No price is configured for this model, so limit '" + limitName
                        + "' cannot be applied.";
                case UNKNOWN_PLAN -> "The caller's plan is not configured.";
                case STORE_UNAVAILABLE -> "Limits are temporarily unavailable.";
            });
            error.put("type", reason == Reason.STORE_UNAVAILABLE ? "service_unavailable" : "rate_limit_error");
            error.put("code", reason == Reason.STORE_UNAVAILABLE ? "limits_unavailable" : "rate_limit_exceeded");
            error.putNull("param");
            if (reason != Reason.UNKNOWN_PLAN) {
                error.put("limit", limitName);
            }
            return root.toString();
        }
    }

    /** Why a request was refused. */
    enum Reason {
        /** Over a limit; waiting {@code retryAfter} helps. */
        OVER_LIMIT,
        /** The request alone is more than the limit ever admits. */
        TOO_LARGE,
        /** A spend limit applies but the model has no price: fail closed. */
        UNPRICED_MODEL,
        /** The caller references a plan the configuration does not define: fail closed. */
        UNKNOWN_PLAN,
        /** The shared store is failing and the configuration says fail closed. */
        STORE_UNAVAILABLE
    }
}

package dev.portcullis.limit.tokens;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.limit.Lease;
import dev.portcullis.limit.config.StreamOverflow;

/**
 * Mid-stream quota check for one admitted request. The allowance is fixed at admission (what was reserved
 * plus what the tightest token rule had left), so the check costs no store call per chunk; settlement
 * charges the true total afterwards.
 */
public final class StreamBudget {
    private final long promptTokens;
    private final long allowance;
    private final StreamOverflow policy;

    /** What to do after the output so far. */
    public enum Verdict {
        /** Within quota. */
        CONTINUE,
        /** Over quota: end the stream now with {@link #errorEvent()}. */
        CUT,
        /** Over quota, but the policy lets it finish; the excess becomes debt at settlement. */
        CARRY_DEBT
    }

    public StreamBudget(Lease lease, StreamOverflow policy) {
        this.promptTokens = lease.reservedPromptTokens();
        this.allowance = lease.tokenAllowance();
        this.policy = policy;
    }

    /** Checks the running count of output tokens. */
    public Verdict check(long outputTokensSoFar) {
        if (allowance == Long.MAX_VALUE || promptTokens + outputTokensSoFar <= allowance) {
            return Verdict.CONTINUE;
        }
        return policy == StreamOverflow.CUT ? Verdict.CUT : Verdict.CARRY_DEBT;
    }

    /** Output tokens the stream may still produce within quota. */
    public long remainingOutput(long outputTokensSoFar) {
        return allowance == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, allowance - promptTokens - outputTokensSoFar);
    }

    /**
     * A well-formed final SSE event (OpenAI error shape) to send before closing a cut stream. It names no
     * key, counter or quota value.
     */
    public static String errorEvent() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode e = root.putObject("error");
        e.put("message", "The response was ended because it exceeded the remaining token quota.");
        e.put("type", "rate_limit_error");
        e.put("code", "token_quota_exceeded");
        e.putNull("param");
        return "event: error\ndata: " + root + "\n\n";
    }
}

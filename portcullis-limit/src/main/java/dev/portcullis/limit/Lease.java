package dev.portcullis.limit;

/**
 * What an admitted request holds until it ends. The caller must end it exactly once: {@link
 * LimitEngine#settle} with actual usage, or {@link LimitEngine#release} if the request was never
 * forwarded. An unended lease expires after the configured reservation TTL, keeping its reserved charge.
 * {@code tokenAllowance} is how many tokens (prompt plus output) the request may use before the tightest
 * token rule would go past its limit (Long.MAX_VALUE when no token rule applies).
 */
public record Lease(String reservationId, String model, long reservedPromptTokens, long reservedOutputTokens,
        long tokenAllowance) {}

package dev.portcullis.limit.config;

/** How a rate or quota rule counts. Concurrency rules have none. */
public enum Algorithm {
    /** GCRA token bucket: {@code limit} per {@code period}, bursts up to {@code burst}. */
    TOKEN_BUCKET,
    /** Exact sliding window: at most {@code limit} in any {@code period}. */
    SLIDING_WINDOW,
    /** Budget per calendar day in the tenant's time zone. */
    DAILY,
    /** Budget per calendar month in the tenant's time zone. */
    MONTHLY
}

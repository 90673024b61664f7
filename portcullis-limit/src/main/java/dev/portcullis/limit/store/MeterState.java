package dev.portcullis.limit.store;

/**
 * A counter's state after a decision: {@code remaining} units (never negative) and {@code resetMicros}
 * until the counter is back to its full limit (0 if it already is, or for concurrency).
 */
public record MeterState(long remaining, long resetMicros) {}

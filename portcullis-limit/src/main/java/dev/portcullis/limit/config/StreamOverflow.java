package dev.portcullis.limit.config;

/** What happens when a stream's output would exceed the caller's remaining token quota. */
public enum StreamOverflow {
    /** End the stream with a final SSE error event. */
    CUT,
    /** Let the stream finish; the excess is charged as debt against later requests. */
    CARRY_DEBT
}

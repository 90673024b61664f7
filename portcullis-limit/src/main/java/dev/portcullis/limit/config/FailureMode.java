package dev.portcullis.limit.config;

/** What limits do while the shared store (Redis) is failing. */
public enum FailureMode {
    /** Each instance enforces the shared limit divided by the configured instance count. */
    FAIL_OPEN_LOCAL,
    /** Every limited request is refused until the store recovers. */
    FAIL_CLOSED
}

package dev.portcullis.limit;

import dev.portcullis.limit.config.Unit;
import java.time.Duration;

/**
 * One rule's state after a decision, as headers report it: its configured name, unit, limit, what
 * remains, when it is fully reset, and its window ({@code null} for concurrency).
 */
public record LimitState(String name, Unit unit, long limit, long remaining, Duration reset, Duration window) {}

package dev.portcullis.guard;

import java.time.Instant;
import java.util.Objects;

/**
 * One guard hit: what was found ({@code type}, e.g. {@code EMAIL}, {@code INSTRUCTION_OVERRIDE},
 * {@code CANARY_LEAK}), by which guard, the action taken, the route and principal id, and whether the guard is in
 * shadow (log-only) mode. Never carries the matched value, the prompt or the completion. All string fields come
 * from bounded sets (enum names, configured guard and route names) and are safe as metric labels, except
 * {@code principalId}.
 */
public record SecurityEvent(
    Instant at, String guard, String type, String action, String route, String principalId, boolean shadow) {
  public SecurityEvent {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(guard, "guard");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(route, "route");
    Objects.requireNonNull(principalId, "principalId");
  }
}

package dev.portcullis.guard;

import java.time.Clock;
import java.util.Objects;

/** Who and where, for security events: the route id and principal id (never a credential), and the clock. */
public record GuardContext(String route, String principalId, Clock clock) {
  public GuardContext {
    Objects.requireNonNull(route, "route");
    Objects.requireNonNull(principalId, "principalId");
    Objects.requireNonNull(clock, "clock");
  }
}

package dev.portcullis.guard;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Guard metrics: {@code portcullis.guard.hits} (guard, type, action, shadow) and {@code portcullis.guard.duration}
 * (guard, outcome). Tags come from bounded sets (configured guard names, enum type names, fixed action and outcome
 * names); the principal id is never a tag. Forwards every event to {@code next} (e.g. the security-event log).
 */
public final class MicrometerGuardListener implements GuardListener {
  private final MeterRegistry registry;
  private final GuardListener next;

  public MicrometerGuardListener(MeterRegistry registry, GuardListener next) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.next = Objects.requireNonNull(next, "next");
  }

  @Override
  public void onEvent(SecurityEvent e) {
    Counter.builder("portcullis.guard.hits")
        .description("Guard hits by finding type or attack family and action")
        .tag("guard", e.guard())
        .tag("type", e.type())
        .tag("action", e.action())
        .tag("shadow", Boolean.toString(e.shadow()))
        .register(registry)
        .increment();
    next.onEvent(e);
  }

  @Override
  public void onEvaluated(String guard, String outcome, long nanos) {
    Timer.builder("portcullis.guard.duration")
        .description("Time spent in one guard evaluation")
        .tag("guard", guard)
        .tag("outcome", outcome)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
    next.onEvaluated(guard, outcome, nanos);
  }
}

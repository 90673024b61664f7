package dev.portcullis.guard;

/**
 * Receives guard signals; the gateway turns them into metrics and the security-event log. Implementations must be
 * fast and must not throw (a throwing listener is ignored so that it cannot change a decision).
 */
public interface GuardListener {
  /** One hit; see {@link SecurityEvent}. */
  void onEvent(SecurityEvent event);

  /** One evaluation of guard {@code guard}, its outcome kind (allowed, modified, blocked, error) and duration. */
  default void onEvaluated(String guard, String outcome, long nanos) {}

  GuardListener NONE = event -> {};
}

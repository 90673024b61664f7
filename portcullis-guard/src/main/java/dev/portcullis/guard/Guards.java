package dev.portcullis.guard;

import java.util.function.Supplier;

/** Shared plumbing: run a guard body under its failure policy, time it, and shield decisions from listeners. */
final class Guards {
  private Guards() {}

  static GuardOutcome run(String guard, FailurePolicy policy, GuardListener listener, GuardContext ctx, String input,
      Supplier<GuardOutcome> body) {
    long t0 = System.nanoTime();
    GuardOutcome outcome;
    try {
      outcome = body.get();
    } catch (RuntimeException | StackOverflowError e) {
      outcome = new GuardOutcome.Failed(guard, policy, e.getClass().getSimpleName(),
          policy == FailurePolicy.FAIL_OPEN ? input : null);
      emit(listener, new SecurityEvent(ctx.clock().instant(), guard, "GUARD_ERROR",
          policy == FailurePolicy.FAIL_OPEN ? "fail_open" : "fail_closed", ctx.route(), ctx.principalId(), false));
    }
    String kind = switch (outcome) {
      case GuardOutcome.Allowed a -> a.modified() ? "modified" : "allowed";
      case GuardOutcome.Blocked b -> "blocked";
      case GuardOutcome.Failed f -> "error";
    };
    try {
      listener.onEvaluated(guard, kind, System.nanoTime() - t0);
    } catch (RuntimeException ignored) {
      // a listener must not change a decision
    }
    return outcome;
  }

  static void emit(GuardListener listener, SecurityEvent e) {
    try {
      listener.onEvent(e);
    } catch (RuntimeException ignored) {
      // a listener must not change a decision
    }
  }
}

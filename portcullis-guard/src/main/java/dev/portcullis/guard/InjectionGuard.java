package dev.portcullis.guard;

import dev.portcullis.guard.injection.AttackFamily;
import dev.portcullis.guard.injection.InjectionProfile;
import dev.portcullis.guard.injection.InjectionScore;
import dev.portcullis.guard.injection.InjectionScorer;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Prompt-injection guard: blocks a text whose score reaches the profile's threshold, or only reports it when the
 * profile is in shadow mode. Immutable and thread-safe.
 */
public final class InjectionGuard {
  private final String name;
  private final InjectionScorer scorer;
  private final InjectionProfile profile;
  private final FailurePolicy failurePolicy;
  private final GuardListener listener;

  public InjectionGuard(String name, InjectionScorer scorer, InjectionProfile profile, FailurePolicy failurePolicy,
      GuardListener listener) {
    this.name = Objects.requireNonNull(name, "name");
    this.scorer = Objects.requireNonNull(scorer, "scorer");
    this.profile = Objects.requireNonNull(profile, "profile");
    this.failurePolicy = Objects.requireNonNull(failurePolicy, "failurePolicy");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  public GuardOutcome inspect(String text, GuardContext ctx) {
    return Guards.run(name, failurePolicy, listener, ctx, text, () -> {
      InjectionScore s = scorer.score(text);
      if (s.score() < profile.threshold()) {
        return new GuardOutcome.Allowed(text, false);
      }
      Set<String> reasons = new TreeSet<>();
      for (AttackFamily f : s.families()) {
        reasons.add(f.name());
      }
      if (reasons.isEmpty()) {
        reasons.add("INJECTION_CLASSIFIER");
      }
      String action = profile.shadow() ? "log" : "block";
      for (String r : reasons) {
        Guards.emit(listener, new SecurityEvent(ctx.clock().instant(), name, r, action, ctx.route(), ctx.principalId(),
            profile.shadow()));
      }
      return profile.shadow() ? new GuardOutcome.Allowed(text, false) : new GuardOutcome.Blocked(name, reasons);
    });
  }
}

package dev.portcullis.guard;

import java.util.Set;

/** Decision of one guard on one text, as a value. */
public sealed interface GuardOutcome {
  /** Forward {@code text} ({@code modified} when redaction, masking, hashing or pseudonyms changed it). */
  record Allowed(String text, boolean modified) implements GuardOutcome {}

  /**
   * Reject (input) or end the stream (output). {@code reasons} are finding types or attack families, never
   * matched values, suitable for the client's error message.
   */
  record Blocked(String guard, Set<String> reasons) implements GuardOutcome {
    public Blocked {
      reasons = Set.copyOf(reasons);
    }
  }

  /**
   * The guard failed. With {@link FailurePolicy#FAIL_OPEN}, {@code text} is the unchanged input and the caller
   * forwards it; with {@link FailurePolicy#FAIL_CLOSED}, {@code text} is null and the caller rejects (5xx).
   */
  record Failed(String guard, FailurePolicy policy, String errorType, String text) implements GuardOutcome {}

  /** Whether the caller should go on with {@link #textToForward()}. */
  default boolean proceeds() {
    return switch (this) {
      case Allowed a -> true;
      case Blocked b -> false;
      case Failed f -> f.policy() == FailurePolicy.FAIL_OPEN;
    };
  }

  /** The text to forward when {@link #proceeds()}, else null. */
  default String textToForward() {
    return switch (this) {
      case Allowed a -> a.text();
      case Blocked b -> null;
      case Failed f -> f.policy() == FailurePolicy.FAIL_OPEN ? f.text() : null;
    };
  }
}

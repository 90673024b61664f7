package dev.portcullis.guard.action;

import dev.portcullis.guard.detect.FindingType;
import java.util.List;
import java.util.Set;

/**
 * Result of applying a policy to one text: the text to forward, what was done to each finding, and the types
 * whose action is block (empty when nothing blocks). Carries no matched value.
 */
public record Applied(String text, List<Hit> hits, Set<FindingType> blockedTypes) {
  public Applied {
    hits = List.copyOf(hits);
    blockedTypes = Set.copyOf(blockedTypes);
  }

  /** One finding and the action taken on it. */
  public record Hit(FindingType type, int start, int end, double confidence, Action action) {}

  public boolean blocked() {
    return !blockedTypes.isEmpty();
  }
}

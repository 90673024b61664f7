package dev.portcullis.guard.action;

import dev.portcullis.guard.detect.Finding;
import dev.portcullis.guard.detect.FindingType;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Immutable choice of action per finding type for one route or plan profile. Findings below
 * {@code minConfidence} are allowed (and still reported).
 */
public record ActionPolicy(Map<FindingType, Action> perType, Action defaultAction, double minConfidence) {
  public ActionPolicy {
    Objects.requireNonNull(defaultAction, "defaultAction");
    perType = perType.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(perType));
    if (!(minConfidence >= 0 && minConfidence <= 1)) {
      throw new IllegalArgumentException("minConfidence must be in [0, 1], was " + minConfidence);
    }
  }

  /** Every type gets {@code action}. */
  public static ActionPolicy uniform(Action action) {
    return new ActionPolicy(Map.of(), action, 0.0);
  }

  public ActionPolicy with(FindingType type, Action action) {
    EnumMap<FindingType, Action> m = new EnumMap<>(FindingType.class);
    m.putAll(perType);
    m.put(type, Objects.requireNonNull(action, "action"));
    return new ActionPolicy(m, defaultAction, minConfidence);
  }

  public Action actionFor(Finding f) {
    if (f.confidence() < minConfidence) {
      return Action.ALLOW;
    }
    return perType.getOrDefault(f.type(), defaultAction);
  }
}

package dev.portcullis.guard.injection;

import java.util.Set;

/**
 * Injection score of one prompt in [0, 1]: the larger of the classifier's probability and the stand-alone rule
 * score, with the rule families that fired (names only, never prompt text).
 */
public record InjectionScore(double score, double modelScore, double ruleScore, Set<AttackFamily> families) {
  public InjectionScore {
    families = Set.copyOf(families);
  }
}

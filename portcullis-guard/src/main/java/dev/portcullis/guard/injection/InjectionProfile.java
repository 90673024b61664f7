package dev.portcullis.guard.injection;

import java.util.Objects;

/**
 * Threshold for one route or plan profile, and whether the guard only logs (shadow mode). The built-in profiles'
 * thresholds and their measured recall / false-positive rates are in docs/guards.md.
 */
public record InjectionProfile(String name, double threshold, boolean shadow) {
  public InjectionProfile {
    Objects.requireNonNull(name, "name");
    if (!(threshold > 0 && threshold <= 1)) {
      throw new IllegalArgumentException("threshold must be in (0, 1], was " + threshold);
    }
  }

  /** Catches the most; more false positives. */
  public static final InjectionProfile STRICT = new InjectionProfile("strict", 0.5, false);
  /** The default. */
  public static final InjectionProfile BALANCED = new InjectionProfile("balanced", 0.8, false);
  /** Blocks only very confident scores. */
  public static final InjectionProfile PERMISSIVE = new InjectionProfile("permissive", 0.95, false);

  public InjectionProfile asShadow() {
    return new InjectionProfile(name, threshold, true);
  }

  /** A built-in profile by name: strict, balanced or permissive. */
  public static InjectionProfile named(String name) {
    return switch (name == null ? "" : name) {
      case "strict" -> STRICT;
      case "balanced" -> BALANCED;
      case "permissive" -> PERMISSIVE;
      default -> throw new IllegalArgumentException("unknown injection profile '" + name
          + "'; expected strict, balanced or permissive");
    };
  }
}

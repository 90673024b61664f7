package dev.portcullis.guard.detect;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Immutable scanner settings: the phone region used for numbers written without a country code (ISO 3166
 * alpha-2, per tenant), and which finding types to report.
 */
public record ScannerConfig(String defaultRegion, Set<FindingType> enabled) {
  public ScannerConfig {
    Objects.requireNonNull(defaultRegion, "defaultRegion");
    if (!defaultRegion.matches("[A-Z]{2}")) {
      throw new IllegalArgumentException("defaultRegion must be an ISO 3166 alpha-2 code such as US, was '" + defaultRegion + "'");
    }
    Objects.requireNonNull(enabled, "enabled");
    enabled = enabled.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(enabled));
  }

  /** Every type, phones read as {@code region} when they carry no country code. */
  public static ScannerConfig all(String region) {
    return new ScannerConfig(region.toUpperCase(Locale.ROOT), EnumSet.allOf(FindingType.class));
  }

  public ScannerConfig withRegion(String region) {
    return new ScannerConfig(region, enabled);
  }
}

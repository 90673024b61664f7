package dev.portcullis.identity.apikey;

import java.time.Duration;
import java.util.Set;

/**
 * Tuning of the API key check.
 *
 * @param environments     key environments this gateway accepts (e.g. {@code live}); others are refused before lookup
 * @param cacheSize        most keys held in the positive cache
 * @param cacheTtl         how long a looked-up key is trusted without asking the store again; bounds how stale a
 *                         revocation can be when no invalidation message arrives
 * @param negativeCacheSize most unknown key hashes remembered
 * @param negativeCacheTtl how long an unknown key is refused without asking the store again
 */
public record ApiKeySettings(
    Set<String> environments, int cacheSize, Duration cacheTtl, int negativeCacheSize, Duration negativeCacheTtl) {

  public ApiKeySettings {
    environments = Set.copyOf(environments);
    if (environments.isEmpty()) {
      throw new IllegalArgumentException("at least one key environment must be accepted");
    }
    if (cacheSize < 1 || negativeCacheSize < 1) {
      throw new IllegalArgumentException("cache sizes must be positive");
    }
    if (cacheTtl.isNegative() || cacheTtl.isZero() || negativeCacheTtl.isNegative() || negativeCacheTtl.isZero()) {
      throw new IllegalArgumentException("cache TTLs must be positive");
    }
  }

  /** 200,000 keys for 30 s, 100,000 unknown hashes for 10 s, environments {@code live} and {@code test}. */
  public static ApiKeySettings defaults() {
    return new ApiKeySettings(Set.of("live", "test"), 200_000, Duration.ofSeconds(30), 100_000, Duration.ofSeconds(10));
  }
}

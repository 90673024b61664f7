package dev.portcullis.identity.oauth;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token ids ({@code jti}) revoked before their expiry, held until they expire. Bounded: when full, expired
 * entries are purged, and if it is still full the revocation is refused so the caller can report it
 * (a revocation must never be silently dropped). In-memory for one instance; a shared one (Redis) serves many.
 */
public final class RevokedTokens {

  private final ConcurrentHashMap<String, Instant> revoked = new ConcurrentHashMap<>();
  private final int maxEntries;
  private final Clock clock;

  public RevokedTokens(int maxEntries, Clock clock) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be positive");
    }
    this.maxEntries = maxEntries;
    this.clock = clock;
  }

  /** Records a revocation until {@code expiresAt}; false when the list is full. */
  public boolean revoke(String jti, Instant expiresAt) {
    if (revoked.size() >= maxEntries) {
      Instant now = clock.instant();
      revoked.values().removeIf(exp -> !now.isBefore(exp));
      if (revoked.size() >= maxEntries) {
        return false;
      }
    }
    revoked.put(jti, expiresAt);
    return true;
  }

  public boolean isRevoked(String jti) {
    return jti != null && revoked.containsKey(jti);
  }
}

package dev.portcullis.identity.oauth;

import dev.portcullis.identity.store.IdentityStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token ids ({@code jti}) revoked before their expiry, held until they expire. The store is the record:
 * a revocation is written there before it counts, so it survives restarts and reaches every instance that
 * shares the store within one {@link #refresh} period. Lookups ({@link #isRevoked}) read only memory.
 *
 * <p>Bounded for revocations made here: when full, expired entries are purged, and if it is still full the
 * revocation is refused so the caller can report it (a revocation is never silently dropped). Revocations
 * learnt from the store are always kept: another instance already promised them.
 *
 * <p>A revoked client is stored in the same list under {@code client:<client id>} (token ids are base64url and never
 * contain {@code :}) and denies every token issued to that client, whenever issued, until every token it could
 * hold has expired.
 */
public final class RevokedTokens {

  /**
   * How far back each refresh looks, beyond its previous run: covers clock differences between the instances
   * that write revocation times and transactions that commit late.
   */
  static final Duration OVERLAP = Duration.ofSeconds(60);

  private static final String CLIENT = "client:";

  private final ConcurrentHashMap<String, Instant> revoked = new ConcurrentHashMap<>();
  private final IdentityStore store;
  private final int maxEntries;
  private final Clock clock;
  private Instant lastRefresh = Instant.EPOCH;

  public RevokedTokens(IdentityStore store, int maxEntries, Clock clock) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be positive");
    }
    this.store = store;
    this.maxEntries = maxEntries;
    this.clock = clock;
  }

  /**
   * Records a revocation until {@code expiresAt} in the store, then here; false when the list is full. Blocks on
   * the store; a store failure propagates and nothing is recorded.
   */
  public boolean revoke(String jti, Instant expiresAt) {
    Instant now = clock.instant();
    if (revoked.size() >= maxEntries) {
      revoked.values().removeIf(exp -> !now.isBefore(exp));
      if (revoked.size() >= maxEntries) {
        return false;
      }
    }
    store.revokeToken(jti, expiresAt, now);
    revoked.put(jti, expiresAt);
    return true;
  }

  public boolean isRevoked(String jti) {
    return jti != null && revoked.containsKey(jti);
  }

  /**
   * Denies every token of {@code clientId} until {@code until} (when its last token has expired), in the store,
   * then here. Always recorded, however full the list: a revoked client must lose its tokens. Blocks on the store.
   */
  public void revokeClient(String clientId, Instant until) {
    store.revokeToken(CLIENT + clientId, until, clock.instant());
    revoked.put(CLIENT + clientId, until);
  }

  /** True when every token of this client is denied. */
  public boolean isClientRevoked(String clientId) {
    return clientId != null && revoked.containsKey(CLIENT + clientId);
  }

  /**
   * Learns revocations written to the store by any instance since the last refresh (the first refresh loads
   * all that still matter) and forgets expired ones. Blocks on the store; run it from a scheduler.
   */
  public synchronized void refresh() {
    Instant now = clock.instant();
    Instant since = lastRefresh.equals(Instant.EPOCH) ? Instant.EPOCH : lastRefresh.minus(OVERLAP);
    Map<String, Instant> found = store.tokenRevocations(since, now);
    revoked.putAll(found);
    revoked.values().removeIf(exp -> !now.isBefore(exp));
    lastRefresh = now;
  }

  /** Deletes expired revocations from the store (any instance may; it is idempotent). */
  public int purgeExpired() {
    return store.purgeTokenRevocations(clock.instant());
  }
}

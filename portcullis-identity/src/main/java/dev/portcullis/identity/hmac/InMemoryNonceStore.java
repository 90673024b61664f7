package dev.portcullis.identity.hmac;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Nonces of one gateway instance, held until they expire. Bounded: when {@code maxEntries} live nonces
 * are held, new ones are refused ({@link Claim#FULL}) rather than older ones evicted, because evicting
 * would let an attacker flush a captured nonce and replay its request.
 */
public final class InMemoryNonceStore implements NonceStore {

  private static final long PURGE_EVERY_MILLIS = 1_000;

  private final ConcurrentHashMap<String, Long> expiries = new ConcurrentHashMap<>();
  private final int maxEntries;
  private final Clock clock;
  private final AtomicLong lastPurge = new AtomicLong(Long.MIN_VALUE / 2);

  public InMemoryNonceStore(int maxEntries, Clock clock) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be positive");
    }
    this.maxEntries = maxEntries;
    this.clock = clock;
  }

  @Override
  public CompletionStage<Claim> claim(String keyId, String nonce, Instant expiresAt) {
    return CompletableFuture.completedFuture(claimNow(keyId + '\n' + nonce, expiresAt.toEpochMilli()));
  }

  private Claim claimNow(String key, long expiry) {
    long now = clock.millis();
    if (expiries.size() >= maxEntries) {
      purge(now);
      if (expiries.size() >= maxEntries) {
        return Claim.FULL;
      }
    }
    boolean[] fresh = {false};
    expiries.compute(key, (k, existing) -> {
      if (existing != null && existing > now) {
        return existing;
      }
      fresh[0] = true;
      return expiry;
    });
    return fresh[0] ? Claim.FRESH : Claim.REPLAYED;
  }

  private void purge(long now) {
    long last = lastPurge.get();
    if (now - last < PURGE_EVERY_MILLIS || !lastPurge.compareAndSet(last, now)) {
      return;
    }
    expiries.values().removeIf(expiry -> expiry <= now);
  }

  int size() {
    return expiries.size();
  }
}

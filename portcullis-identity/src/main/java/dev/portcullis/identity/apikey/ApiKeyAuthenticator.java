package dev.portcullis.identity.apikey;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.portcullis.identity.AuthResult;
import dev.portcullis.identity.CredentialType;
import dev.portcullis.identity.FailureReason;
import dev.portcullis.identity.Principal;
import dev.portcullis.identity.store.IdentityStore;
import dev.portcullis.identity.store.ResolvedApiKey;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks a presented API key: format and checksum first (no lookup for typos or guesses), then a bounded
 * cache of known keys and one of unknown hashes, then the store on the executor. Cache hits complete
 * synchronously on the calling thread. Store failures refuse the request with
 * {@link FailureReason#UNAVAILABLE} (fail closed). Thread-safe.
 */
public final class ApiKeyAuthenticator implements AutoCloseable {

  private static final AuthResult MISSING = AuthResult.rejected(FailureReason.MISSING_CREDENTIAL);
  private static final AuthResult UNKNOWN = AuthResult.rejected(FailureReason.UNKNOWN_CREDENTIAL);
  private static final AuthResult EXPIRED = AuthResult.rejected(FailureReason.EXPIRED);
  private static final AuthResult REVOKED = AuthResult.rejected(FailureReason.REVOKED);
  private static final AuthResult ADDRESS = AuthResult.rejected(FailureReason.ADDRESS_NOT_ALLOWED);
  private static final AuthResult UNAVAILABLE = AuthResult.rejected(FailureReason.UNAVAILABLE);
  /** Last-used times are kept to this resolution: one note per key per second at most, not one per request. */
  static final long LAST_USED_RESOLUTION_MILLIS = 1_000;

  private final IdentityStore store;
  private final ApiKeyHasher hasher;
  private final Executor executor;
  private final Clock clock;
  private final ApiKeySettings settings;
  private final LastUsedRecorder lastUsed;
  private final AsyncCache<KeyDigest, CachedKey> known;
  private final Cache<KeyDigest, Boolean> unknown;
  private final AutoCloseable subscription;

  /**
   * @param executor runs store lookups (the gateway's worker pool)
   * @param invalidations where revocations and rotations from any instance arrive
   */
  public ApiKeyAuthenticator(
      IdentityStore store,
      ApiKeyHasher hasher,
      Executor executor,
      Clock clock,
      ApiKeySettings settings,
      LastUsedRecorder lastUsed,
      KeyInvalidations invalidations) {
    this.store = Objects.requireNonNull(store, "store");
    this.hasher = Objects.requireNonNull(hasher, "hasher");
    this.executor = Objects.requireNonNull(executor, "executor");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.lastUsed = Objects.requireNonNull(lastUsed, "lastUsed");
    // Maintenance (eviction order, expiry sweeps) runs on Caffeine's default executor, off the request path.
    this.known = Caffeine.newBuilder()
        .maximumSize(settings.cacheSize())
        .expireAfterWrite(settings.cacheTtl())
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .buildAsync();
    this.unknown = Caffeine.newBuilder()
        .maximumSize(settings.negativeCacheSize())
        .expireAfterWrite(settings.negativeCacheTtl())
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .executor(Runnable::run)
        .build();
    this.subscription = invalidations.subscribe(this::invalidate);
  }

  /**
   * Authenticates {@code presentedKey} (the raw key, without any {@code Bearer } prefix) for a request from
   * {@code client}. Never throws for any input.
   */
  public CompletionStage<AuthResult> authenticate(String presentedKey, InetAddress client) {
    if (presentedKey == null || presentedKey.isEmpty()) {
      return CompletableFuture.completedFuture(MISSING);
    }
    switch (ApiKeyFormat.check(presentedKey)) {
      case ApiKeyFormat.Check.Invalid invalid -> {
        return CompletableFuture.completedFuture(AuthResult.rejected(invalid.reason()));
      }
      case ApiKeyFormat.Check.Valid valid -> {
        if (!settings.environments().contains(valid.environment())) {
          return CompletableFuture.completedFuture(UNKNOWN);
        }
      }
    }
    KeyDigest hash = hasher.digest(presentedKey.getBytes(StandardCharsets.UTF_8));
    CompletableFuture<CachedKey> entry = known.getIfPresent(hash);
    if (entry == null) {
      if (unknown.getIfPresent(hash) != null) {
        return CompletableFuture.completedFuture(UNKNOWN);
      }
      entry = known.get(hash, (h, ignored) -> load(h));
    }
    if (entry.isDone() && !entry.isCompletedExceptionally()) {
      return CompletableFuture.completedFuture(decide(hash, entry, entry.join(), client));
    }
    CompletableFuture<CachedKey> pending = entry;
    return pending.handle((cached, failure) -> failure != null ? UNAVAILABLE : decide(hash, pending, cached, client));
  }

  /** Drops one key (by peppered hash), or all for {@link KeyInvalidations#ALL}; the next use reads the store. */
  public void invalidate(String keyHash) {
    if (KeyInvalidations.ALL.equals(keyHash)) {
      invalidateAll();
      return;
    }
    KeyDigest digest = KeyDigest.ofHex(keyHash);
    if (digest == null) {
      return;
    }
    known.synchronous().invalidate(digest);
    unknown.invalidate(digest);
  }

  /** Drops every cached key. */
  public void invalidateAll() {
    known.synchronous().invalidateAll();
    unknown.invalidateAll();
  }

  /** Stops listening for invalidations. */
  @Override
  public void close() {
    try {
      subscription.close();
    } catch (Exception e) {
      throw new IllegalStateException("cannot unsubscribe from key invalidations", e);
    }
  }

  private CompletableFuture<CachedKey> load(KeyDigest hash) {
    return CompletableFuture.supplyAsync(() -> {
      var resolved = store.resolveApiKey(hash.hex());
      if (resolved.isEmpty()) {
        unknown.put(hash, Boolean.TRUE);
        return CachedKey.NOT_FOUND;
      }
      return CachedKey.of(resolved.get());
    }, executor);
  }

  private AuthResult decide(KeyDigest hash, CompletableFuture<CachedKey> entry, CachedKey key, InetAddress client) {
    if (key == CachedKey.NOT_FOUND) {
      // Unknown keys live in the negative cache only; drop the placeholder before anyone sees the answer.
      known.asMap().remove(hash, entry);
      return UNKNOWN;
    }
    if (key.revoked) {
      return REVOKED;
    }
    Instant now = clock.instant();
    if (key.expiresAt != null && !now.isBefore(key.expiresAt)) {
      return EXPIRED;
    }
    if (!key.networks.isEmpty() && !key.allows(client)) {
      return ADDRESS;
    }
    long nowMillis = now.toEpochMilli();
    long last = key.lastRecordedMillis.get();
    if (nowMillis - last >= LAST_USED_RESOLUTION_MILLIS && key.lastRecordedMillis.compareAndSet(last, nowMillis)) {
      lastUsed.record(key.keyId, now);
    }
    return key.result;
  }

  /** What the request path needs of a key, with its success result built once. */
  private record CachedKey(
      String keyId, boolean revoked, Instant expiresAt, List<CidrBlock> networks, AuthResult result,
      AtomicLong lastRecordedMillis) {

    static final CachedKey NOT_FOUND = new CachedKey("", true, null, List.of(), UNKNOWN, new AtomicLong());

    static CachedKey of(ResolvedApiKey r) {
      Map<String, String> attributes = new HashMap<>(r.principal().attributes());
      attributes.put("environment", r.key().environment());
      attributes.put("principal_kind", r.principal().kind().name().toLowerCase(java.util.Locale.ROOT));
      Principal principal = new Principal(r.tenant().id(), r.principal().id(), r.effectivePlan(), r.key().scopes(),
          r.key().id(), CredentialType.API_KEY, attributes);
      List<CidrBlock> networks = r.key().allowedCidrs().stream().map(CidrBlock::parse).toList();
      boolean revoked = r.key().revokedAt() != null || r.tenant().disabled();
      return new CachedKey(r.key().id(), revoked, r.key().expiresAt(), networks, AuthResult.authenticated(principal),
          new AtomicLong(Long.MIN_VALUE / 2));
    }

    boolean allows(InetAddress client) {
      if (client == null) {
        return false;
      }
      for (CidrBlock network : networks) {
        if (network.contains(client)) {
          return true;
        }
      }
      return false;
    }
  }
}

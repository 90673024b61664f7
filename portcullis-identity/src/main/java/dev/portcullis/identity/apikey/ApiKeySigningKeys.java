package dev.portcullis.identity.apikey;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.portcullis.identity.CredentialType;
import dev.portcullis.identity.FailureReason;
import dev.portcullis.identity.Principal;
import dev.portcullis.identity.hmac.SigningKey;
import dev.portcullis.identity.hmac.SigningKeys;
import dev.portcullis.identity.store.ApiKeyRecord;
import dev.portcullis.identity.store.IdentityStore;
import dev.portcullis.identity.store.ResolvedApiKey;
import dev.portcullis.identity.store.StoredPrincipal;
import dev.portcullis.identity.store.Tenant;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Signing keys for HMAC-signed requests, backed by API key records: the key id is the API key's id, and the
 * signing secret is derived from the server pepper and that id ({@link ApiKeyService#signingSecret}), so no
 * signing secret is stored anywhere. Revoking or expiring the API key ends its signing key too. Lookups are
 * cached (bounded, with a TTL) and dropped on any key invalidation.
 */
public final class ApiKeySigningKeys implements SigningKeys, AutoCloseable {

  static final String DOMAIN = "pc-hmac-v1";

  private final IdentityStore store;
  private final ApiKeyHasher hasher;
  private final Executor executor;
  private final Clock clock;
  private final AsyncCache<String, Optional<Entry>> cache;
  private final AutoCloseable subscription;

  private record Entry(ApiKeyRecord key, Principal principal, boolean tenantDisabled, byte[] secret) {}

  public ApiKeySigningKeys(IdentityStore store, ApiKeyHasher hasher, Executor executor, Clock clock,
      int cacheSize, Duration cacheTtl, KeyInvalidations invalidations) {
    this.store = store;
    this.hasher = hasher;
    this.executor = executor;
    this.clock = clock;
    this.cache = Caffeine.newBuilder()
        .maximumSize(cacheSize)
        .expireAfterWrite(cacheTtl)
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .executor(Runnable::run)
        .buildAsync();
    // Invalidations carry key hashes, not ids; they are rare, so drop everything.
    this.subscription = invalidations.subscribe(hash -> cache.synchronous().invalidateAll());
  }

  @Override
  public CompletionStage<Optional<SigningKey>> find(String keyId) {
    return cache.get(keyId, (id, ignored) -> CompletableFuture.supplyAsync(() -> load(id), executor))
        .thenApply(found -> found.map(this::toSigningKey));
  }

  private Optional<Entry> load(String keyId) {
    Optional<ApiKeyRecord> key = store.findApiKey(keyId);
    if (key.isEmpty()) {
      return Optional.empty();
    }
    ApiKeyRecord k = key.get();
    Optional<StoredPrincipal> principal = store.findPrincipal(k.tenantId(), k.principalId());
    Optional<Tenant> tenant = store.findTenant(k.tenantId());
    if (principal.isEmpty() || tenant.isEmpty()) {
      return Optional.empty();
    }
    String plan = new ResolvedApiKey(k, principal.get(), tenant.get()).effectivePlan();
    Map<String, String> attributes = new HashMap<>(principal.get().attributes());
    attributes.put("environment", k.environment());
    Principal p = new Principal(k.tenantId(), k.principalId(), plan, k.scopes(), k.id(), CredentialType.HMAC,
        attributes);
    return Optional.of(new Entry(k, p, tenant.get().disabled(), hasher.derive(DOMAIN, keyId)));
  }

  private SigningKey toSigningKey(Entry e) {
    FailureReason refusal = null;
    if (e.key().revokedAt() != null || e.tenantDisabled()) {
      refusal = FailureReason.REVOKED;
    } else if (e.key().inactiveAt(clock.instant())) {
      refusal = FailureReason.EXPIRED;
    }
    return new SigningKey(e.principal(), e.secret(), refusal);
  }

  @Override
  public void close() {
    try {
      subscription.close();
    } catch (Exception e) {
      throw new IllegalStateException("cannot unsubscribe from key invalidations", e);
    }
  }
}

package dev.portcullis.identity.apikey;

import dev.portcullis.identity.store.ApiKeyRecord;
import dev.portcullis.identity.store.IdentityStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Creates, rotates and revokes API keys (the admin API and CLI call this). Every method blocks on the store.
 * Rotation and revocation publish an invalidation so that all instances drop the old key from their caches.
 */
public final class ApiKeyService {

  private static final SecureRandom RANDOM = new SecureRandom();
  /** Longest rotation grace window: old keys must not live on indefinitely. */
  public static final Duration MAX_GRACE = Duration.ofDays(30);

  private final IdentityStore store;
  private final ApiKeyHasher hasher;
  private final Clock clock;
  private final KeyInvalidations invalidations;

  public ApiKeyService(IdentityStore store, ApiKeyHasher hasher, Clock clock, KeyInvalidations invalidations) {
    this.store = Objects.requireNonNull(store, "store");
    this.hasher = Objects.requireNonNull(hasher, "hasher");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.invalidations = Objects.requireNonNull(invalidations, "invalidations");
  }

  /**
   * What a new key grants. {@code expiresAt} may be {@code null} (no expiry); CIDRs are validated here. {@code plan}
   * is the key's own plan, or {@code null} to use its principal's or tenant's.
   */
  public record KeySpec(
      String tenantId,
      String principalId,
      String environment,
      Set<String> scopes,
      List<String> allowedCidrs,
      Instant expiresAt,
      String plan) {

    /** A key without a plan of its own. */
    public KeySpec(String tenantId, String principalId, String environment, Set<String> scopes,
        List<String> allowedCidrs, Instant expiresAt) {
      this(tenantId, principalId, environment, scopes, allowedCidrs, expiresAt, null);
    }

    public KeySpec {
      scopes = Set.copyOf(scopes);
      allowedCidrs = allowedCidrs.stream().map(c -> CidrBlock.parse(c).toString()).toList();
      if (allowedCidrs.size() > 64) {
        throw new IllegalArgumentException("a key may be pinned to at most 64 networks");
      }
    }
  }

  /** Creates a key; the returned secret is the only copy. */
  public IssuedKey create(KeySpec spec) {
    Instant now = clock.instant();
    if (spec.expiresAt() != null && !spec.expiresAt().isAfter(now)) {
      throw new IllegalArgumentException("expiry must be in the future");
    }
    String secret = ApiKeyFormat.generate(spec.environment());
    ApiKeyRecord record = new ApiKeyRecord(newId(), spec.tenantId(), spec.principalId(), spec.environment(),
        hasher.hash(secret), ApiKeyFormat.hint(secret), spec.scopes(), spec.allowedCidrs(), now, spec.expiresAt(),
        null, null, null, spec.plan());
    store.createApiKey(record);
    return new IssuedKey(record, secret);
  }

  /** What a rotation came to. */
  public sealed interface Rotation {
    /** The new key; the old one works until the grace window ends. */
    record Rotated(IssuedKey key) implements Rotation {}

    /** The key does not exist, is revoked or was already rotated. */
    record Unavailable() implements Rotation {}

    /** The key has expired: an expired key is not renewed (create a new one). */
    record Expired(Instant expiredAt) implements Rotation {}
  }

  /**
   * Replaces key {@code keyId} by a new key with the same grants and the same lifetime policy: a key that expires
   * gets a successor with the same lifetime (its expiry minus its creation) counted from now, a key without expiry
   * one without expiry. The old key keeps working until {@code now + grace} (or its earlier expiry). An expired key
   * is refused (ADR 0008).
   */
  public Rotation rotate(String keyId, Duration grace) {
    if (grace.isNegative() || grace.compareTo(MAX_GRACE) > 0) {
      throw new IllegalArgumentException("grace must be between 0 and " + MAX_GRACE.toDays() + " days");
    }
    Optional<ApiKeyRecord> old = store.findApiKey(keyId);
    if (old.isEmpty() || old.get().revokedAt() != null || old.get().replacedBy() != null) {
      return new Rotation.Unavailable();
    }
    ApiKeyRecord o = old.get();
    Instant now = clock.instant();
    if (o.expiresAt() != null && !now.isBefore(o.expiresAt())) {
      return new Rotation.Expired(o.expiresAt());
    }
    Instant expiry = o.expiresAt() == null ? null : now.plus(Duration.between(o.createdAt(), o.expiresAt()));
    IssuedKey fresh = create(new KeySpec(o.tenantId(), o.principalId(), o.environment(), o.scopes(),
        o.allowedCidrs(), expiry, o.plan()));
    if (!store.markApiKeyReplaced(keyId, fresh.record().id(), now.plus(grace))) {
      store.revokeApiKey(fresh.record().id(), now);
      return new Rotation.Unavailable();
    }
    invalidations.publish(o.hash());
    return new Rotation.Rotated(fresh);
  }

  /** Revokes a key at once on every instance that receives the invalidation; false when unknown or already revoked. */
  public boolean revoke(String keyId) {
    Optional<ApiKeyRecord> key = store.findApiKey(keyId);
    if (key.isEmpty() || !store.revokeApiKey(keyId, clock.instant())) {
      return false;
    }
    invalidations.publish(key.get().hash());
    return true;
  }

  /**
   * The HMAC request-signing secret of key {@code keyId} (base64url), derived from the server pepper; nothing is
   * stored. Show it once. Empty when the key does not exist or is revoked.
   */
  public Optional<String> signingSecret(String keyId) {
    Optional<ApiKeyRecord> key = store.findApiKey(keyId);
    if (key.isEmpty() || key.get().revokedAt() != null) {
      return Optional.empty();
    }
    return Optional.of(java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString(hasher.derive(ApiKeySigningKeys.DOMAIN, keyId)));
  }

  private static String newId() {
    byte[] bytes = new byte[10];
    RANDOM.nextBytes(bytes);
    return "key-" + HexFormat.of().formatHex(bytes);
  }
}

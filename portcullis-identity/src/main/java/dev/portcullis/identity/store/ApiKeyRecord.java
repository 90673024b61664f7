package dev.portcullis.identity.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A stored API key. The key itself is never stored: {@code hash} is its HMAC-SHA-256 under the server
 * pepper (lower-case hex), and {@code hint} is its last four characters for display.
 *
 * @param expiresAt  end of validity, or {@code null} for none; rotation moves it to the end of the grace window
 * @param revokedAt  revocation time, or {@code null}
 * @param replacedBy id of the key that replaced this one by rotation, or {@code null}
 * @param lastUsedAt last successful use as recorded in batches, or {@code null}
 * @param plan       the key's own plan, which applies instead of its principal's or tenant's; {@code null} for none
 */
public record ApiKeyRecord(
    String id,
    String tenantId,
    String principalId,
    String environment,
    String hash,
    String hint,
    Set<String> scopes,
    List<String> allowedCidrs,
    Instant createdAt,
    Instant expiresAt,
    Instant revokedAt,
    String replacedBy,
    Instant lastUsedAt,
    String plan) {

  /** A key without a plan of its own. */
  public ApiKeyRecord(String id, String tenantId, String principalId, String environment, String hash, String hint,
      Set<String> scopes, List<String> allowedCidrs, Instant createdAt, Instant expiresAt, Instant revokedAt,
      String replacedBy, Instant lastUsedAt) {
    this(id, tenantId, principalId, environment, hash, hint, scopes, allowedCidrs, createdAt, expiresAt, revokedAt,
        replacedBy, lastUsedAt, null);
  }

  public ApiKeyRecord {
    Ids.requireId("key id", id);
    Ids.requireId("tenant id", tenantId);
    Ids.requireId("principal id", principalId);
    Ids.requireId("environment", environment);
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(hint, "hint");
    Objects.requireNonNull(createdAt, "createdAt");
    scopes = Set.copyOf(scopes);
    scopes.forEach(Ids::requireScope);
    allowedCidrs = List.copyOf(allowedCidrs);
    if (plan != null) {
      Ids.requireId("plan name", plan);
    }
  }

  /** True when revoked, or expired at {@code now}. */
  public boolean inactiveAt(Instant now) {
    return revokedAt != null || (expiresAt != null && !now.isBefore(expiresAt));
  }
}

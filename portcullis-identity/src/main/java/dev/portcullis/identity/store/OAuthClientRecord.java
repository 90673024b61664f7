package dev.portcullis.identity.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A machine client of the built-in OAuth 2.0 token endpoint. {@code secretHash} is a peppered hash of
 * the client secret, never the secret.
 */
public record OAuthClientRecord(
    String clientId,
    String tenantId,
    String principalId,
    String secretHash,
    Set<String> allowedScopes,
    Instant createdAt,
    Instant revokedAt) {

  public OAuthClientRecord {
    Ids.requireId("client id", clientId);
    Ids.requireId("tenant id", tenantId);
    Ids.requireId("principal id", principalId);
    Objects.requireNonNull(secretHash, "secretHash");
    Objects.requireNonNull(createdAt, "createdAt");
    allowedScopes = Set.copyOf(allowedScopes);
    allowedScopes.forEach(Ids::requireScope);
  }
}

package dev.portcullis.identity.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A machine client of the built-in OAuth 2.0 token endpoint. It authenticates either with a secret
 * ({@code secretHash} is a peppered hash of it, never the secret; {@code jwks} null) or with assertions signed by
 * a private key ({@code jwks} is its public JWK set as JSON, private_key_jwt; {@code secretHash} empty).
 */
public record OAuthClientRecord(
    String clientId,
    String tenantId,
    String principalId,
    String secretHash,
    Set<String> allowedScopes,
    Instant createdAt,
    Instant revokedAt,
    String jwks) {

  /** A client that authenticates with a secret. */
  public OAuthClientRecord(String clientId, String tenantId, String principalId, String secretHash,
      Set<String> allowedScopes, Instant createdAt, Instant revokedAt) {
    this(clientId, tenantId, principalId, secretHash, allowedScopes, createdAt, revokedAt, null);
  }

  public OAuthClientRecord {
    Ids.requireId("client id", clientId);
    Ids.requireId("tenant id", tenantId);
    Ids.requireId("principal id", principalId);
    Objects.requireNonNull(secretHash, "secretHash");
    if (secretHash.isEmpty() == (jwks == null)) {
      throw new IllegalArgumentException("a client has either a secret or public keys");
    }
    Objects.requireNonNull(createdAt, "createdAt");
    allowedScopes = Set.copyOf(allowedScopes);
    allowedScopes.forEach(Ids::requireScope);
  }
}

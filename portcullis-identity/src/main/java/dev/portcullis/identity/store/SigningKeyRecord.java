package dev.portcullis.identity.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A signing key of the built-in OAuth issuer. {@code sealedJwk} is the private JWK encrypted (AES-GCM) under
 * a key derived from the server pepper, never the plain key.
 */
public record SigningKeyRecord(String kid, String sealedJwk, Instant createdAt, Instant retiredAt) {
  public SigningKeyRecord {
    Ids.requireId("key id", kid);
    Objects.requireNonNull(sealedJwk, "sealedJwk");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  @Override
  public String toString() {
    return "SigningKeyRecord[kid=" + kid + ", createdAt=" + createdAt + ", retiredAt=" + retiredAt + "]";
  }
}

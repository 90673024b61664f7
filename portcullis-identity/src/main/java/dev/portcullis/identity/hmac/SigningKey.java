package dev.portcullis.identity.hmac;

import dev.portcullis.identity.FailureReason;
import dev.portcullis.identity.Principal;
import java.util.Objects;

/**
 * A signing credential as the verifier needs it. {@code refusal} is {@code null} for a usable key, or the
 * reason it may not be used (revoked, expired). {@link #toString()} never shows the secret.
 */
public record SigningKey(Principal principal, byte[] secret, FailureReason refusal) {
  public SigningKey {
    Objects.requireNonNull(principal, "principal");
    secret = secret.clone();
  }

  @Override
  public byte[] secret() {
    return secret.clone();
  }

  @Override
  public String toString() {
    return "SigningKey[" + principal.credentialId() + "]";
  }
}

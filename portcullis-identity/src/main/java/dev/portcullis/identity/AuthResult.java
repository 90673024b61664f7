package dev.portcullis.identity;

import java.util.Objects;

/** Outcome of authenticating one request: a principal, or a refusal with a reason code. */
public sealed interface AuthResult {

  /** The credential was valid. */
  record Authenticated(Principal principal) implements AuthResult {
    public Authenticated {
      Objects.requireNonNull(principal, "principal");
    }
  }

  /** The credential was refused; {@code reason} is safe to log and count, never the credential. */
  record Rejected(FailureReason reason) implements AuthResult {
    public Rejected {
      Objects.requireNonNull(reason, "reason");
    }
  }

  static AuthResult authenticated(Principal principal) {
    return new Authenticated(principal);
  }

  static AuthResult rejected(FailureReason reason) {
    return new Rejected(reason);
  }
}

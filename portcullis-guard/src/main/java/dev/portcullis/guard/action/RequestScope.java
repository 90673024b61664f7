package dev.portcullis.guard.action;

import java.util.Objects;

/**
 * Per-request state the actions need: the tenant's HMAC key (for {@link Action.Hash}) and the request's
 * {@link PseudonymVault} (for {@link Action.Pseudonymise}, restored in the same request's response).
 */
public final class RequestScope {
  private final byte[] tenantKey;
  private final PseudonymVault vault;

  /** {@code tenantKey} is a secret of at least 16 bytes; it is copied. */
  public RequestScope(byte[] tenantKey, PseudonymVault vault) {
    Objects.requireNonNull(tenantKey, "tenantKey");
    if (tenantKey.length < 16) {
      throw new IllegalArgumentException("tenant HMAC key must have at least 16 bytes, has " + tenantKey.length);
    }
    this.tenantKey = tenantKey.clone();
    this.vault = Objects.requireNonNull(vault, "vault");
  }

  byte[] tenantKey() {
    return tenantKey;
  }

  public PseudonymVault vault() {
    return vault;
  }
}

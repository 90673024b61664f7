package dev.portcullis.identity.store;

import java.util.Objects;

/** An API key together with its principal and tenant, as one lookup returns them. */
public record ResolvedApiKey(ApiKeyRecord key, StoredPrincipal principal, Tenant tenant) {
  public ResolvedApiKey {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(tenant, "tenant");
  }

  /** The plan that applies: the key's own, else the principal's, else the tenant's. */
  public String effectivePlan() {
    return key.plan() != null ? key.plan() : principal.plan() != null ? principal.plan() : tenant.plan();
  }
}

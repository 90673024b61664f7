package dev.portcullis.identity.store;

import java.util.Objects;

/** An API key together with its principal and tenant, as one lookup returns them. */
public record ResolvedApiKey(ApiKeyRecord key, StoredPrincipal principal, Tenant tenant) {
  public ResolvedApiKey {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(tenant, "tenant");
  }

  /** The plan that applies: the principal's override, else the tenant's. */
  public String effectivePlan() {
    return principal.plan() != null ? principal.plan() : tenant.plan();
  }
}

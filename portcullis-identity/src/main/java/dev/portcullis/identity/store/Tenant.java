package dev.portcullis.identity.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A customer organisation; principals and credentials belong to exactly one tenant.
 *
 * @param allowedPlans plans besides {@code plan} that an admin allows the tenant's own admins to give its keys and
 *                     principals
 */
public record Tenant(String id, String displayName, String plan, Instant createdAt, boolean disabled,
    Set<String> allowedPlans) {

  /** A tenant whose admins may give only its own plan. */
  public Tenant(String id, String displayName, String plan, Instant createdAt, boolean disabled) {
    this(id, displayName, plan, createdAt, disabled, Set.of());
  }

  public Tenant {
    Ids.requireId("tenant id", id);
    Ids.requireId("plan name", plan);
    Objects.requireNonNull(displayName, "displayName");
    Objects.requireNonNull(createdAt, "createdAt");
    if (displayName.isBlank() || displayName.length() > 200) {
      throw new IllegalArgumentException("tenant display name must be 1-200 characters");
    }
    allowedPlans = Set.copyOf(allowedPlans);
    allowedPlans.forEach(p -> Ids.requireId("plan name", p));
    if (allowedPlans.size() > 64) {
      throw new IllegalArgumentException("a tenant may be allowed at most 64 plans");
    }
  }

  /** True when the tenant's own admins may give {@code planName} to its keys and principals. */
  public boolean allowsPlan(String planName) {
    return plan.equals(planName) || allowedPlans.contains(planName);
  }
}

package dev.portcullis.admin;

import dev.portcullis.config.GatewayConfig.AdminRole;
import java.util.Set;

/**
 * An authenticated admin API caller.
 *
 * @param tenant the one tenant a {@code tenant-admin} may see; null for other roles
 * @param scopes the scopes the caller holds and may grant; null for every scope
 */
public record AdminCaller(String name, AdminRole role, String tenant, Set<String> scopes) {

  public AdminCaller {
    scopes = scopes == null ? null : Set.copyOf(scopes);
  }

  /** A caller with its role's default scopes: an {@code admin} holds every scope, other roles none. */
  public static AdminCaller of(String name, AdminRole role, String tenant, Set<String> scopes) {
    return new AdminCaller(name, role, tenant, scopes != null || role == AdminRole.ADMIN ? scopes : Set.of());
  }

  /** May read this tenant's data. */
  public boolean canRead(String tenantId) {
    return role != AdminRole.TENANT_ADMIN || tenant.equals(tenantId);
  }

  /** May change this tenant's data. */
  public boolean canWrite(String tenantId) {
    return role == AdminRole.ADMIN || role == AdminRole.TENANT_ADMIN && tenant.equals(tenantId);
  }

  /** May change things that belong to no tenant (plans, tenants themselves, configuration). */
  public boolean isAdmin() {
    return role == AdminRole.ADMIN;
  }

  /** May read things that belong to no tenant. */
  public boolean canReadGlobal() {
    return role != AdminRole.TENANT_ADMIN;
  }

  /** Holds every one of these scopes, and so may grant them. */
  public boolean holdsScopes(Set<String> wanted) {
    return scopes == null || scopes.containsAll(wanted);
  }
}

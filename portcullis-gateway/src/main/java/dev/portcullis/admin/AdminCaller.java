package dev.portcullis.admin;

import dev.portcullis.config.GatewayConfig.AdminRole;

/**
 * An authenticated admin API caller.
 *
 * @param tenant the one tenant a {@code tenant-admin} may see; null for other roles
 */
public record AdminCaller(String name, AdminRole role, String tenant) {

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
}

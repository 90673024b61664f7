package dev.portcullis.identity.store;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * An application or user registered under a tenant.
 *
 * @param plan plan override, or {@code null} to use the tenant's plan
 * @param attributes at most 32 string attributes, exposed to policies; never secrets
 */
public record StoredPrincipal(
    String id,
    String tenantId,
    PrincipalKind kind,
    String plan,
    Map<String, String> attributes,
    Instant createdAt) {

  static final int MAX_ATTRIBUTES = 32;

  public StoredPrincipal {
    Ids.requireId("principal id", id);
    Ids.requireId("tenant id", tenantId);
    Objects.requireNonNull(kind, "kind");
    if (plan != null) {
      Ids.requireId("plan name", plan);
    }
    Objects.requireNonNull(createdAt, "createdAt");
    attributes = Map.copyOf(attributes);
    if (attributes.size() > MAX_ATTRIBUTES) {
      throw new IllegalArgumentException("a principal has at most " + MAX_ATTRIBUTES + " attributes");
    }
    attributes.forEach((k, v) -> {
      if (k.isEmpty() || k.length() > 64 || v.length() > 256) {
        throw new IllegalArgumentException("attribute names must be 1-64 and values at most 256 characters");
      }
    });
  }
}

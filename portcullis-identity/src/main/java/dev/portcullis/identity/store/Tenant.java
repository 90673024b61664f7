package dev.portcullis.identity.store;

import java.time.Instant;
import java.util.Objects;

/** A customer organisation; principals and credentials belong to exactly one tenant. */
public record Tenant(String id, String displayName, String plan, Instant createdAt, boolean disabled) {
  public Tenant {
    Ids.requireId("tenant id", id);
    Ids.requireId("plan name", plan);
    Objects.requireNonNull(displayName, "displayName");
    Objects.requireNonNull(createdAt, "createdAt");
    if (displayName.isBlank() || displayName.length() > 200) {
      throw new IllegalArgumentException("tenant display name must be 1-200 characters");
    }
  }
}

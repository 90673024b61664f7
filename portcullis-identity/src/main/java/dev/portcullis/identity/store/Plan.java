package dev.portcullis.identity.store;

import java.util.Objects;

/** A named plan; limits and model lists for it live in the gateway configuration under the same name. */
public record Plan(String name, String description) {
  public Plan {
    Ids.requireId("plan name", name);
    Objects.requireNonNull(description, "description");
    if (description.length() > 500) {
      throw new IllegalArgumentException("plan description must be at most 500 characters");
    }
  }
}

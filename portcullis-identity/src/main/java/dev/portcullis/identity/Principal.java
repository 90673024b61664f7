package dev.portcullis.identity;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Who is calling, as every later stage sees it. Immutable; holds no secret.
 *
 * @param tenant       tenant id the caller belongs to
 * @param subject      application or user id within the tenant (JWT {@code sub}, principal id for keys)
 * @param plan         plan name, referenced by name in configuration
 * @param scopes       granted scopes
 * @param credentialId id of the credential used (key id, JWT {@code jti}/issuer-subject, HMAC key id), safe to log
 * @param type         kind of credential that authenticated the call
 * @param attributes   further string attributes (issuer, client id, ...) for policies; never secrets
 */
public record Principal(
    String tenant,
    String subject,
    String plan,
    Set<String> scopes,
    String credentialId,
    CredentialType type,
    Map<String, String> attributes) {

  public Principal {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(credentialId, "credentialId");
    Objects.requireNonNull(type, "type");
    scopes = Set.copyOf(scopes);
    attributes = Map.copyOf(attributes);
  }

  /** True when every scope in {@code required} was granted. */
  public boolean hasScopes(Set<String> required) {
    return scopes.containsAll(required);
  }
}

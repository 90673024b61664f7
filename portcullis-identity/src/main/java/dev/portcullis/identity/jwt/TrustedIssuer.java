package dev.portcullis.identity.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * One issuer whose tokens the gateway accepts.
 *
 * @param issuer      exact {@code iss} value
 * @param audience    value that {@code aud} must contain
 * @param keys        where this issuer's public keys come from
 * @param algorithms  accepted {@code alg} values, e.g. {@code RS256}, {@code ES256}; {@code none} and HMAC
 *                    algorithms are refused here because issuer keys are public keys
 * @param tenantClaim claim holding the tenant id, or {@code null} to use {@code fixedTenant}
 * @param fixedTenant tenant for every token of this issuer when {@code tenantClaim} is {@code null}
 * @param planClaim   claim holding the plan name, or {@code null} to use {@code defaultPlan}
 * @param defaultPlan plan when the plan claim is absent
 * @param maxSkew     tolerance for {@code exp}, {@code nbf}, {@code iat}; at most 5 minutes
 * @param maxTokenLifetime longest {@code exp − iat} accepted ({@code exp − now} for a token without {@code iat}),
 *                    or {@code null} for no bound
 */
public record TrustedIssuer(
    String issuer,
    String audience,
    KeySource keys,
    Set<JWSAlgorithm> algorithms,
    String tenantClaim,
    String fixedTenant,
    String planClaim,
    String defaultPlan,
    Duration maxSkew,
    Duration maxTokenLifetime) {

  /** Upper bound on the configurable skew. */
  public static final Duration MAX_SKEW = Duration.ofMinutes(5);

  private static final Set<JWSAlgorithm> ASYMMETRIC = Set.copyOf(JWSAlgorithm.Family.SIGNATURE);

  public TrustedIssuer {
    if (issuer == null || issuer.isBlank()) {
      throw new IllegalArgumentException("issuer must be set");
    }
    if (audience == null || audience.isBlank()) {
      throw new IllegalArgumentException("audience must be set for issuer " + issuer);
    }
    Objects.requireNonNull(keys, "keys");
    algorithms = Set.copyOf(algorithms);
    if (algorithms.isEmpty()) {
      throw new IllegalArgumentException("issuer " + issuer + " needs at least one algorithm");
    }
    for (JWSAlgorithm alg : algorithms) {
      if (!ASYMMETRIC.contains(alg)) {
        throw new IllegalArgumentException("algorithm " + alg + " is not an accepted public-key signature algorithm");
      }
    }
    if ((tenantClaim == null) == (fixedTenant == null)) {
      throw new IllegalArgumentException("issuer " + issuer + " needs exactly one of tenantClaim and fixedTenant");
    }
    if (planClaim == null && defaultPlan == null) {
      throw new IllegalArgumentException("issuer " + issuer + " needs a planClaim or a defaultPlan");
    }
    if (maxSkew.isNegative() || maxSkew.compareTo(MAX_SKEW) > 0) {
      throw new IllegalArgumentException("maxSkew must be between 0 and " + MAX_SKEW);
    }
    if (maxTokenLifetime != null && (maxTokenLifetime.isNegative() || maxTokenLifetime.isZero())) {
      throw new IllegalArgumentException("maxTokenLifetime must be positive for issuer " + issuer);
    }
  }

  /** An issuer without a bound on token lifetime. */
  public TrustedIssuer(String issuer, String audience, KeySource keys, Set<JWSAlgorithm> algorithms,
      String tenantClaim, String fixedTenant, String planClaim, String defaultPlan, Duration maxSkew) {
    this(issuer, audience, keys, algorithms, tenantClaim, fixedTenant, planClaim, defaultPlan, maxSkew, null);
  }
}

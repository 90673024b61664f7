package dev.portcullis.auth;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import dev.portcullis.identity.mtls.CertificateIdentity;

/**
 * The {@code identity} section. {@code enabled == false} means {@code mode: none}: no authentication at all, which
 * the configuration must say explicitly.
 */
public record IdentitySettings(
    boolean enabled,
    String realm,
    Store store,
    String pepper,
    Set<String> environments,
    Duration cacheTtl,
    List<Issuer> issuers,
    boolean signedRequests,
    Duration signedRequestSkew,
    OAuth oauth,
    List<CertificateIdentity> certificates) {

  public IdentitySettings {
    environments = Set.copyOf(environments);
    issuers = List.copyOf(issuers);
    certificates = List.copyOf(certificates);
  }

  static IdentitySettings none() {
    return new IdentitySettings(false, "portcullis", null, null, Set.of(), Duration.ZERO, List.of(), false,
        Duration.ZERO, null, List.of());
  }

  @Override
  public String toString() {
    return "IdentitySettings[enabled=" + enabled + ", store=" + store + ", pepper=***, environments=" + environments
        + ", issuers=" + issuers + ", signedRequests=" + signedRequests + "]";
  }

  /**
   * The built-in OAuth 2.0 client-credentials server, or null when off.
   *
   * @param issuer      issuer identifier and public base URL of the endpoints
   * @param keyRotation how often a new signing key is made; old keys stay published while their tokens live
   */
  public record OAuth(URI issuer, String audience, Duration tokenTtl, Duration keyRotation) {}

  /** Where tenants, principals and keys live: a SQLite file, or PostgreSQL. */
  public record Store(Path sqlite, String postgresUrl, String postgresUser, String postgresPassword, int poolSize) {

    @Override
    public String toString() {
      return sqlite != null ? "sqlite:" + sqlite : "postgres:" + postgresUrl;
    }
  }

  /** A trusted JWT issuer; exactly one of {@code jwksUrl}, {@code jwksFile}. */
  public record Issuer(
      String issuer,
      String audience,
      URI jwksUrl,
      Path jwksFile,
      Set<String> algorithms,
      String tenantClaim,
      String tenant,
      String planClaim,
      String plan,
      Duration maxSkew,
      Duration maxTokenLifetime) {

    public Issuer {
      algorithms = Set.copyOf(algorithms);
    }
  }
}

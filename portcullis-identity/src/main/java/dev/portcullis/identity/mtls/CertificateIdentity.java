package dev.portcullis.identity.mtls;

import java.util.Objects;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * Which certificates are which principal: a distinguished name, or one subject alternative name (DNS name, URI or
 * e-mail address), mapped to a registered principal of a tenant, with the scopes it is granted.
 *
 * @param subject distinguished name (RFC 2253), compared in canonical form; or null
 * @param san     a subject alternative name value; or null
 */
public record CertificateIdentity(String subject, String san, String tenant, String principal, Set<String> scopes) {

  public CertificateIdentity {
    if ((subject == null) == (san == null)) {
      throw new IllegalArgumentException("a certificate identity names exactly one of subject and san");
    }
    if (subject != null) {
      subject = new X500Principal(subject).getName(X500Principal.CANONICAL);
    }
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(principal, "principal");
    scopes = Set.copyOf(scopes);
  }
}

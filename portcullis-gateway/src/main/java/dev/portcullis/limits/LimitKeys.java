package dev.portcullis.limits;

import dev.portcullis.identity.Principal;

/**
 * The credential that {@code per: [key]} limits, the usage ledger and {@code RateLimit-Policy} count for a caller:
 * one value per credential, the same for every request it authenticates, whichever way it is presented.
 * <ul>
 *   <li>an API key, whether it is the bearer or signs the request (HMAC): its id;</li>
 *   <li>a token from the built-in OAuth issuer: its client ({@code client:ID}), so that fetching new tokens does
 *       not reset a client's limits;</li>
 *   <li>an external JWT: its issuer and subject ({@code jwt:LENGTH:SUBJECT@ISSUER}, the subject's length first so
 *       that no subject can pose as another issuer's);</li>
 *   <li>a client certificate: its thumbprint ({@code cert:…}).</li>
 * </ul>
 * Values that are not plain reach the limit store as digests (see the limit store's {@code Keys}).
 */
public final class LimitKeys {

  /** The prefix of an OAuth client's limit key. */
  public static final String OAUTH_CLIENT = "client:";

  private final String ownIssuer;

  /** {@code ownIssuer}: the built-in OAuth issuer's {@code iss}, or null when it is off. */
  public LimitKeys(String ownIssuer) {
    this.ownIssuer = ownIssuer;
  }

  /** The caller's limit key; null only for anonymous callers. */
  public String of(Principal principal) {
    if (principal == null) {
      return null;
    }
    return switch (principal.type()) {
      case API_KEY, HMAC, MTLS -> principal.credentialId();
      case JWT -> {
        String issuer = principal.attributes().getOrDefault("issuer", "");
        String client = principal.attributes().get("client_id");
        yield client != null && issuer.equals(ownIssuer) ? OAUTH_CLIENT + client
            : "jwt:" + principal.subject().length() + ":" + principal.subject() + "@" + issuer;
      }
    };
  }
}

package dev.portcullis.identity.oauth;

import java.net.URI;
import java.time.Duration;

/**
 * The built-in issuer's configuration.
 *
 * @param issuer   the issuer identifier and base URL of the endpoints, e.g. {@code https://gw.example}
 * @param audience {@code aud} of issued tokens (the gateway's own audience)
 * @param tokenTtl lifetime of access tokens, 1 minute to 1 hour
 */
public record IssuerSettings(URI issuer, String audience, Duration tokenTtl) {
  public IssuerSettings {
    if (issuer == null || issuer.getScheme() == null || issuer.getHost() == null || issuer.getQuery() != null
        || issuer.getFragment() != null) {
      throw new IllegalArgumentException("issuer must be an absolute URL without query or fragment");
    }
    if (audience == null || audience.isBlank()) {
      throw new IllegalArgumentException("audience must be set");
    }
    if (tokenTtl.compareTo(Duration.ofMinutes(1)) < 0 || tokenTtl.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("tokenTtl must be between 1 minute and 1 hour");
    }
  }

  String issuerString() {
    String s = issuer.toString();
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}

package dev.portcullis.identity.oauth;

/**
 * A token request after the HTTP layer parsed it: client credentials from either
 * {@code client_secret_basic} ({@link ClientCredentials#fromBasicHeader}) or {@code client_secret_post}
 * form fields, or a signed assertion ({@code client_assertion_type} and {@code client_assertion}, private_key_jwt),
 * the {@code grant_type}, and the optional {@code scope}.
 *
 * @param certificateThumbprint base64url SHA-256 of the client certificate the request came over (mutual TLS), or
 *                              null; when set, the token is bound to that certificate (RFC 8705 {@code cnf})
 */
public record TokenRequest(String grantType, String clientId, String clientSecret, String scope,
    String certificateThumbprint, String clientAssertionType, String clientAssertion) {

  public TokenRequest(String grantType, String clientId, String clientSecret, String scope) {
    this(grantType, clientId, clientSecret, scope, null, null, null);
  }

  public TokenRequest(String grantType, String clientId, String clientSecret, String scope,
      String certificateThumbprint) {
    this(grantType, clientId, clientSecret, scope, certificateThumbprint, null, null);
  }

  @Override
  public String toString() {
    return "TokenRequest[grantType=" + grantType + ", clientId=" + clientId + ", scope=" + scope + ", bound="
        + (certificateThumbprint != null) + ", assertion=" + (clientAssertion != null) + "]";
  }
}

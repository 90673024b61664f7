package dev.portcullis.identity.oauth;

/**
 * A token request after the HTTP layer parsed it: client credentials from either
 * {@code client_secret_basic} ({@link ClientCredentials#fromBasicHeader}) or {@code client_secret_post}
 * form fields, the {@code grant_type}, and the optional {@code scope}.
 */
public record TokenRequest(String grantType, String clientId, String clientSecret, String scope) {
  @Override
  public String toString() {
    return "TokenRequest[grantType=" + grantType + ", clientId=" + clientId + ", scope=" + scope + "]";
  }
}

package dev.portcullis.identity.oauth;

/** Result of a token request: an access token, or an RFC 6749 §5.2 error. */
public sealed interface TokenOutcome {

  /** RFC 6749 §5.1 success. {@code scope} is the granted scope (space-separated). */
  record Issued(String accessToken, long expiresInSeconds, String scope) implements TokenOutcome {
    public String tokenType() {
      return "Bearer";
    }

    @Override
    public String toString() {
      return "Issued[expiresIn=" + expiresInSeconds + ", scope=" + scope + "]";
    }
  }

  /** RFC 6749 §5.2 error; {@code invalid_client} answers 401, the others 400. */
  record Refused(OAuthError error) implements TokenOutcome {}

  /** Error codes of RFC 6749 §5.2 used here, plus 503 when the store failed. */
  enum OAuthError {
    INVALID_REQUEST("invalid_request", 400),
    INVALID_CLIENT("invalid_client", 401),
    UNSUPPORTED_GRANT_TYPE("unsupported_grant_type", 400),
    INVALID_SCOPE("invalid_scope", 400),
    TEMPORARILY_UNAVAILABLE("temporarily_unavailable", 503);

    private final String code;
    private final int httpStatus;

    OAuthError(String code, int httpStatus) {
      this.code = code;
      this.httpStatus = httpStatus;
    }

    public String code() {
      return code;
    }

    public int httpStatus() {
      return httpStatus;
    }
  }
}

package dev.portcullis.identity;

import dev.portcullis.identity.mtls.CertificateAuthenticator;
import dev.portcullis.identity.apikey.ApiKeyAuthenticator;
import dev.portcullis.identity.hmac.HmacAuthenticator;
import dev.portcullis.identity.jwt.JwtAuthenticator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The identify stage's entry point: picks the credential a request carries and hands it to the matching
 * authenticator. {@code Authorization: Bearer pc_…} and {@code x-api-key: pc_…} are API keys, other bearer
 * tokens are JWTs, {@code Authorization: PC-HMAC-SHA256 …} is a signed request. A request carrying two
 * different credentials is refused. Any authenticator may be {@code null} when that credential type is off;
 * its credentials are then refused as malformed. Never throws for any input.
 */
public final class Identifier {

  private static final CompletionStage<AuthResult> MISSING =
      CompletableFuture.completedFuture(AuthResult.rejected(FailureReason.MISSING_CREDENTIAL));
  private static final CompletionStage<AuthResult> MALFORMED =
      CompletableFuture.completedFuture(AuthResult.rejected(FailureReason.MALFORMED_CREDENTIAL));

  private final ApiKeyAuthenticator apiKeys;
  private final JwtAuthenticator jwts;
  private final HmacAuthenticator signedRequests;
  private final CertificateAuthenticator certificates;

  public Identifier(ApiKeyAuthenticator apiKeys, JwtAuthenticator jwts, HmacAuthenticator signedRequests) {
    this(apiKeys, jwts, signedRequests, null);
  }

  /**
   * @param certificates identifies callers that present only a client certificate; null when certificates alone
   *                     are not a credential
   */
  public Identifier(ApiKeyAuthenticator apiKeys, JwtAuthenticator jwts, HmacAuthenticator signedRequests,
      CertificateAuthenticator certificates) {
    this.apiKeys = apiKeys;
    this.jwts = jwts;
    this.signedRequests = signedRequests;
    this.certificates = certificates;
  }

  /** True when the request is HMAC-signed, so the gateway must hash the body before calling {@link #identify}. */
  public static boolean needsBodyHash(String authorization) {
    return HmacAuthenticator.isSignedRequest(authorization);
  }

  public CompletionStage<AuthResult> identify(CredentialRequest request) {
    String authorization = blankToNull(request.authorization());
    String apiKeyHeader = blankToNull(request.apiKeyHeader());
    if (authorization == null && apiKeyHeader == null) {
      if (certificates != null && request.clientCertificate() != null) {
        return certificates.authenticate(request.clientCertificate());
      }
      return MISSING;
    }
    if (authorization != null && apiKeyHeader != null) {
      return MALFORMED;
    }
    if (apiKeyHeader != null) {
      return apiKeys == null ? MALFORMED : apiKeys.authenticate(apiKeyHeader.strip(), request.client());
    }
    if (HmacAuthenticator.isSignedRequest(authorization)) {
      if (signedRequests == null || request.bodySha256Hex() == null) {
        return MALFORMED;
      }
      return signedRequests.authenticate(authorization, request.method(), request.rawPath(), request.rawQuery(),
          request.bodySha256Hex());
    }
    if (authorization.length() < 8 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return MALFORMED;
    }
    String token = authorization.substring(7).strip();
    if (token.startsWith("pc_")) {
      return apiKeys == null ? MALFORMED : apiKeys.authenticate(token, request.client());
    }
    if (jwts == null) {
      return MALFORMED;
    }
    return jwts.authenticate(token).thenApply(result -> bound(result, request.clientCertificate()));
  }

  /** A certificate-bound token is valid only over a connection presenting that certificate (RFC 8705). */
  private static AuthResult bound(AuthResult result, java.security.cert.X509Certificate certificate) {
    if (result instanceof AuthResult.Authenticated a && !CertificateBinding.satisfied(a.principal(), certificate)) {
      return AuthResult.rejected(FailureReason.CERTIFICATE_MISMATCH);
    }
    return result;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}

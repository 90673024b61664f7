package dev.portcullis.identity.hmac;

import dev.portcullis.identity.AuthResult;
import dev.portcullis.identity.FailureReason;
import dev.portcullis.identity.Principal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies a signed request: header shape, timestamp within the skew window, key known and active,
 * signature (constant-time comparison), and only then the nonce, so unauthenticated traffic cannot fill
 * the nonce store. Never throws for any input.
 */
public final class HmacAuthenticator {

  /** Upper bound of the skew window. */
  public static final Duration MAX_SKEW = Duration.ofMinutes(15);

  private final SigningKeys keys;
  private final NonceStore nonces;
  private final Clock clock;
  private final Duration skew;

  public HmacAuthenticator(SigningKeys keys, NonceStore nonces, Clock clock, Duration skew) {
    this.keys = Objects.requireNonNull(keys, "keys");
    this.nonces = Objects.requireNonNull(nonces, "nonces");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (skew.isNegative() || skew.isZero() || skew.compareTo(MAX_SKEW) > 0) {
      throw new IllegalArgumentException("skew must be positive and at most " + MAX_SKEW);
    }
    this.skew = skew;
  }

  /** True when an Authorization header value uses this scheme (so the gateway routes it here). */
  public static boolean isSignedRequest(String authorization) {
    return authorization != null && authorization.regionMatches(true, 0, CanonicalRequest.SCHEME + " ", 0,
        CanonicalRequest.SCHEME.length() + 1);
  }

  /**
   * @param authorization the Authorization header value
   * @param rawPath       path as received, not decoded
   * @param rawQuery      query as received, without '?', or {@code null}
   * @param bodySha256Hex {@link CanonicalRequest#bodySha256(byte[])} of the received body
   */
  public CompletionStage<AuthResult> authenticate(String authorization, String method, String rawPath,
      String rawQuery, String bodySha256Hex) {
    SignedRequestHeader header = SignedRequestHeader.parse(authorization);
    if (header == null) {
      return done(authorization == null ? FailureReason.MISSING_CREDENTIAL : FailureReason.MALFORMED_CREDENTIAL);
    }
    long now = clock.millis() / 1000;
    if (Math.abs(now - header.timestamp()) > skew.toSeconds()) {
      return done(FailureReason.STALE_REQUEST);
    }
    String canonical;
    try {
      canonical = CanonicalRequest.of(method, rawPath, rawQuery, bodySha256Hex, header.timestamp(), header.nonce());
    } catch (IllegalArgumentException e) {
      return done(FailureReason.MALFORMED_CREDENTIAL);
    }
    return keys.find(header.keyId()).thenCompose(found -> {
      if (found.isEmpty()) {
        return done(FailureReason.UNKNOWN_CREDENTIAL);
      }
      SigningKey key = found.get();
      if (key.refusal() != null) {
        return done(key.refusal());
      }
      String expected = HmacSigner.sign(new SecretKeySpec(key.secret(), "HmacSHA256"), canonical);
      if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
          header.signature().getBytes(StandardCharsets.US_ASCII))) {
        return done(FailureReason.BAD_SIGNATURE);
      }
      // Keep the nonce for the whole window in which its timestamp would still be accepted.
      var expiresAt = java.time.Instant.ofEpochSecond(header.timestamp()).plus(skew).plusSeconds(1);
      Principal principal = key.principal();
      return nonces.claim(header.keyId(), header.nonce(), expiresAt).thenApply(claim -> switch (claim) {
        case FRESH -> AuthResult.authenticated(principal);
        case REPLAYED -> AuthResult.rejected(FailureReason.REPLAYED);
        case FULL -> AuthResult.rejected(FailureReason.UNAVAILABLE);
      });
    }).exceptionally(failure -> AuthResult.rejected(FailureReason.UNAVAILABLE));
  }

  private static CompletionStage<AuthResult> done(FailureReason reason) {
    return CompletableFuture.completedFuture(AuthResult.rejected(reason));
  }
}

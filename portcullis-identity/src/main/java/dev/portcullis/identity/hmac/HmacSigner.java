package dev.portcullis.identity.hmac;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Client side of the signed-request scheme: produces the {@code Authorization} header value for one request.
 * A fresh random nonce per request is the caller's duty when it passes its own.
 *
 * <pre>{@code
 * HmacSigner signer = new HmacSigner("key-0a1b2c", secret);
 * String authorization = signer.authorization("POST", "/v1/chat/completions", "", body, Instant.now());
 * }</pre>
 */
public final class HmacSigner {

  private static final SecureRandom RANDOM = new SecureRandom();
  private final String keyId;
  private final SecretKeySpec secret;

  /** @param secret the base64url signing secret issued for {@code keyId} */
  public HmacSigner(String keyId, String secret) {
    this(keyId, Base64.getUrlDecoder().decode(secret));
  }

  public HmacSigner(String keyId, byte[] secret) {
    if (keyId == null || keyId.isEmpty() || keyId.indexOf(',') >= 0 || keyId.indexOf(' ') >= 0) {
      throw new IllegalArgumentException("keyId must be set and contain no comma or space");
    }
    if (secret.length < 32) {
      throw new IllegalArgumentException("the signing secret must be at least 32 bytes");
    }
    this.keyId = keyId;
    this.secret = new SecretKeySpec(secret.clone(), "HmacSHA256");
  }

  /** Header value for a request sent at {@code now}, with a new random nonce. */
  public String authorization(String method, String rawPath, String rawQuery, byte[] body, Instant now) {
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    return authorization(method, rawPath, rawQuery, body, now,
        Base64.getUrlEncoder().withoutPadding().encodeToString(nonce));
  }

  /** Header value with a caller-chosen nonce (16-64 characters of {@code A-Z a-z 0-9 - _}). */
  public String authorization(String method, String rawPath, String rawQuery, byte[] body, Instant now,
      String nonce) {
    long timestamp = now.getEpochSecond();
    String canonical = CanonicalRequest.of(method, rawPath, rawQuery, CanonicalRequest.bodySha256(body), timestamp,
        nonce);
    return CanonicalRequest.SCHEME + " keyId=" + keyId + ", ts=" + timestamp + ", nonce=" + nonce + ", sig="
        + sign(secret, canonical);
  }

  static String sign(SecretKeySpec key, String canonical) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return Base64.getUrlEncoder().withoutPadding()
          .encodeToString(mac.doFinal(canonical.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}

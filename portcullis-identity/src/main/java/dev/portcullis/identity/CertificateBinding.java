package dev.portcullis.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;

/**
 * Certificate-bound access tokens (RFC 8705 §3): a token whose {@code cnf} claim carries {@code x5t#S256} is
 * usable only over a TLS connection whose client certificate has that SHA-256 thumbprint.
 */
public final class CertificateBinding {

  /** The confirmation member of the {@code cnf} claim. */
  public static final String CONFIRMATION = "x5t#S256";
  /** The principal attribute holding a bound token's thumbprint. */
  public static final String ATTRIBUTE = "cnf.x5t#S256";

  private CertificateBinding() {}

  /** base64url (no padding) SHA-256 of the certificate's DER encoding. */
  public static String thumbprint(X509Certificate certificate) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot encode a verified certificate", e);
    }
  }

  /** True when the principal is not bound, or is bound to exactly this certificate (compared in constant time). */
  public static boolean satisfied(Principal principal, X509Certificate presented) {
    String bound = principal.attributes().get(ATTRIBUTE);
    if (bound == null) {
      return true;
    }
    if (presented == null) {
      return false;
    }
    return MessageDigest.isEqual(bound.getBytes(StandardCharsets.US_ASCII),
        thumbprint(presented).getBytes(StandardCharsets.US_ASCII));
  }
}

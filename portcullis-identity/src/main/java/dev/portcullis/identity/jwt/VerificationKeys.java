package dev.portcullis.identity.jwt;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a JWK set document key by key and keeps the public keys that may verify signatures. A key that does not
 * parse, is meant for something else ({@code use} other than {@code sig}, {@code key_ops} without {@code verify}),
 * is symmetric, is on an encryption-only curve, or is an RSA key under {@value #MIN_RSA_BITS} bits is skipped with
 * a reason; the issuer's other keys stay in use.
 */
final class VerificationKeys {

  /** Smallest RSA modulus accepted (NIST SP 800-131A). */
  static final int MIN_RSA_BITS = 2048;
  private static final int MAX_KID_SHOWN = 64;

  /** The usable keys of one document, and one line per skipped key ({@code kid} and reason) for the log. */
  record Loaded(JWKSet keys, List<String> skipped) {
    Loaded {
      skipped = List.copyOf(skipped);
    }
  }

  private VerificationKeys() {}

  /** Parses {@code json}; throws only when the document itself is not a JWK set ({@code keys} list missing). */
  static Loaded parse(String json) throws ParseException {
    Map<String, Object> document = JSONObjectUtils.parse(json);
    if (!(document.get("keys") instanceof List<?> entries)) {
      throw new ParseException("a JWK set needs a \"keys\" list", 0);
    }
    List<JWK> keys = new ArrayList<>(entries.size());
    List<String> skipped = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      Object entry = entries.get(i);
      String kid = entry instanceof Map<?, ?> m && m.get("kid") instanceof String s ? shown(s) : "#" + i;
      if (!(entry instanceof Map<?, ?>)) {
        skipped.add(kid + ": not a JSON object");
        continue;
      }
      JWK key;
      try {
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) entry;
        key = JWK.parse(object);
      } catch (ParseException | RuntimeException e) {
        skipped.add(kid + ": does not parse");
        continue;
      }
      String refusal = refusal(key);
      if (refusal != null) {
        skipped.add(kid + ": " + refusal);
        continue;
      }
      keys.add(key.toPublicJWK());
    }
    return new Loaded(new JWKSet(keys), skipped);
  }

  /** Why {@code key} may not verify signatures, or {@code null} when it may. */
  static String refusal(JWK key) {
    if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
      return "use is not sig";
    }
    if (key.getKeyOperations() != null && !key.getKeyOperations().contains(KeyOperation.VERIFY)) {
      return "key_ops lacks verify";
    }
    return switch (key) {
      // the modulus's real bit length: Nimbus's size() counts leading zero bytes
      case RSAKey rsa -> rsa.getModulus().decodeToBigInteger().bitLength() < MIN_RSA_BITS
          ? "RSA key of " + rsa.getModulus().decodeToBigInteger().bitLength() + " bits (at least "
          + MIN_RSA_BITS + " needed)" : null;
      case ECKey ignored -> null;
      case OctetKeyPair okp -> Curve.Ed25519.equals(okp.getCurve()) ? null : "curve " + okp.getCurve()
          + " does not sign";
      default -> "key type " + key.getKeyType() + " cannot verify with a public key";
    };
  }

  /** A kid for the log: bounded, printable ASCII only. */
  private static String shown(String kid) {
    StringBuilder out = new StringBuilder("kid '");
    for (int i = 0; i < kid.length() && i < MAX_KID_SHOWN; i++) {
      char c = kid.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return out.append(kid.length() > MAX_KID_SHOWN ? "…'" : "'").toString();
  }
}

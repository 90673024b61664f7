package dev.portcullis.identity.oauth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.identity.hmac.NonceStore;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Client authentication with a signed JWT (private_key_jwt: RFC 7523 §2.2, OpenID Connect Core §9). The client
 * registers public keys; each token request carries an assertion with {@code iss} = {@code sub} = the client id,
 * an {@code aud} naming this server (its token endpoint or its issuer identifier), an {@code exp} at most
 * {@link #MAX_LIFETIME} ahead, and a {@code jti} that is accepted once. Only registered keys are used: {@code jwk},
 * {@code jku}, {@code x5u} and {@code x5c} headers are refused, and the key's type decides the algorithm family.
 * Thread-safe.
 */
public final class ClientAssertions {

  public static final String TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
  /** Longest accepted assertion lifetime: a captured assertion is useless after it, and jtis are kept that long. */
  static final Duration MAX_LIFETIME = Duration.ofMinutes(5);
  static final Duration SKEW = Duration.ofSeconds(30);
  static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512,
      JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384,
      JWSAlgorithm.PS512);
  private static final int MAX_LENGTH = 8192;

  private final List<String> audiences;
  private final NonceStore usedIds;
  private final Clock clock;

  /** @param audiences accepted {@code aud} values: the token endpoint URL and the issuer identifier */
  public ClientAssertions(List<String> audiences, NonceStore usedIds, Clock clock) {
    this.audiences = List.copyOf(audiences);
    this.usedIds = usedIds;
    this.clock = clock;
  }

  /** The client id an assertion claims ({@code iss}), before anything is verified; null if unreadable. */
  public static String claimedClient(String assertion) {
    if (assertion == null || assertion.length() > MAX_LENGTH) {
      return null;
    }
    try {
      String issuer = SignedJWT.parse(assertion).getJWTClaimsSet().getIssuer();
      return issuer != null && issuer.length() <= 128 ? issuer : null;
    } catch (ParseException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Checks a public JWK set a client registers: parseable, at least one key, public keys only, EC (P-256/384/521)
   * or RSA of at least 2048 bits. Returns it in canonical JSON.
   */
  public static String validateKeys(String jwksJson) {
    JWKSet set;
    try {
      set = JWKSet.parse(jwksJson);
    } catch (ParseException | RuntimeException e) {
      throw new IllegalArgumentException("jwks is not a JWK set ({\"keys\": [...]})");
    }
    if (set.getKeys().isEmpty() || set.getKeys().size() > 8) {
      throw new IllegalArgumentException("jwks must hold 1 to 8 keys");
    }
    for (JWK key : set.getKeys()) {
      if (key.isPrivate()) {
        throw new IllegalArgumentException("jwks must hold public keys only; never send a private key");
      }
      if (key instanceof RSAKey rsa && rsa.getModulus().decodeToBigInteger().bitLength() < 2048) {
        throw new IllegalArgumentException("RSA keys must have at least 2048 bits");
      }
      if (!(key instanceof RSAKey) && !(key instanceof ECKey)) {
        throw new IllegalArgumentException("keys must be EC (P-256, P-384, P-521) or RSA");
      }
    }
    return set.toString(true);
  }

  /**
   * True when {@code assertion} is a valid, fresh, first-time assertion of {@code clientId} signed by one of
   * {@code jwksJson}'s keys. Blocks on the replay store.
   */
  public boolean verify(String assertion, String clientId, String jwksJson) {
    if (assertion == null || assertion.length() > MAX_LENGTH || jwksJson == null) {
      return false;
    }
    try {
      SignedJWT jwt = SignedJWT.parse(assertion);
      JWSHeader header = jwt.getHeader();
      if (!ALGORITHMS.contains(header.getAlgorithm()) || header.getJWK() != null || header.getJWKURL() != null
          || header.getX509CertURL() != null || header.getX509CertChain() != null) {
        return false;
      }
      if (!signedByOneOf(jwt, JWKSet.parse(jwksJson))) {
        return false;
      }
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      Instant now = clock.instant();
      Date exp = claims.getExpirationTime();
      Date nbf = claims.getNotBeforeTime();
      if (!clientId.equals(claims.getIssuer()) || !clientId.equals(claims.getSubject())
          || claims.getAudience() == null || claims.getAudience().stream().noneMatch(audiences::contains)
          || exp == null || !now.minus(SKEW).isBefore(exp.toInstant())
          || exp.toInstant().isAfter(now.plus(MAX_LIFETIME).plus(SKEW))
          || nbf != null && nbf.toInstant().isAfter(now.plus(SKEW))
          || claims.getJWTID() == null || claims.getJWTID().isEmpty() || claims.getJWTID().length() > 256) {
        return false;
      }
      NonceStore.Claim claim = usedIds.claim("assertion:" + clientId, claims.getJWTID(),
          exp.toInstant().plus(SKEW)).toCompletableFuture().join();
      return claim == NonceStore.Claim.FRESH;
    } catch (ParseException | JOSEException | RuntimeException e) {
      return false;
    }
  }

  private static boolean signedByOneOf(SignedJWT jwt, JWKSet keys) throws JOSEException {
    String kid = jwt.getHeader().getKeyID();
    JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
    for (JWK key : keys.getKeys()) {
      if (kid != null && !kid.equals(key.getKeyID())) {
        continue;
      }
      JWSVerifier verifier;
      if (key instanceof ECKey ec && JWSAlgorithm.Family.EC.contains(alg)) {
        verifier = new ECDSAVerifier(ec); // checks that the curve matches the algorithm
      } else if (key instanceof RSAKey rsa && JWSAlgorithm.Family.RSA.contains(alg)) {
        verifier = new RSASSAVerifier(rsa);
      } else {
        continue;
      }
      if (verifier.supportedJWSAlgorithms().contains(alg) && jwt.verify(verifier)) {
        return true;
      }
    }
    return false;
  }
}

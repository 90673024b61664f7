package dev.portcullis.identity.jwt;

import dev.portcullis.identity.CertificateBinding;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.identity.AuthResult;
import dev.portcullis.identity.CredentialType;
import dev.portcullis.identity.FailureReason;
import dev.portcullis.identity.Principal;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies JWT bearer tokens from a fixed set of trusted issuers. When the issuer's key snapshot has the
 * token's key the check completes synchronously; an unknown key id asks the key source for a rate-limited
 * reload and completes when it returns. Never throws for any input: a token that cannot be read or verified is a
 * 401 reason, and a failure of the verifier itself (a missing crypto provider, a {@link LinkageError}) is
 * {@link FailureReason#UNAVAILABLE}. Thread-safe.
 */
public final class JwtAuthenticator {

  private static final Logger LOG = LoggerFactory.getLogger(JwtAuthenticator.class);

  /** Longest token accepted; longer input is refused before parsing. */
  public static final int MAX_TOKEN_LENGTH = 16 * 1024;
  private static final int MAX_SCOPES = 256;
  private static final int MAX_KEYS_TRIED = 8;

  private final Map<String, TrustedIssuer> issuers;
  private final Clock clock;
  private final Cache<String, Verified> verified;
  private final TokenDenyList denyList;
  private final AtomicLong lastBrokenLog = new AtomicLong(Long.MIN_VALUE / 2);

  /** A token that passed every check, with the key snapshot it was checked against. */
  private record Verified(TrustedIssuer issuer, JWKSet keys, JWTClaimsSet claims, AuthResult result) {}

  /** Without a verified-token cache: every request verifies the signature. */
  public JwtAuthenticator(List<TrustedIssuer> issuers, Clock clock) {
    this(issuers, clock, 0, Duration.ofSeconds(1), TokenDenyList.NONE);
  }

  /**
   * @param tokenCacheSize most verified tokens remembered (0 disables), so that a client reusing its token
   *                       skips the signature check; time claims are still checked on every request, and a
   *                       cached token is verified again whenever its issuer's key set changes
   * @param tokenCacheTtl  longest time a verified token is remembered
   * @param denyList       tokens revoked before expiry (the built-in issuer's revocations)
   */
  public JwtAuthenticator(List<TrustedIssuer> issuers, Clock clock, int tokenCacheSize, Duration tokenCacheTtl,
      TokenDenyList denyList) {
    Map<String, TrustedIssuer> byName = new HashMap<>();
    for (TrustedIssuer issuer : issuers) {
      if (byName.put(issuer.issuer(), issuer) != null) {
        throw new IllegalArgumentException("issuer configured twice: " + issuer.issuer());
      }
    }
    if (tokenCacheSize < 0) {
      throw new IllegalArgumentException("tokenCacheSize must not be negative");
    }
    this.issuers = Map.copyOf(byName);
    this.clock = clock;
    this.denyList = java.util.Objects.requireNonNull(denyList, "denyList");
    this.verified = tokenCacheSize == 0 ? null : Caffeine.newBuilder()
        .maximumSize(tokenCacheSize)
        .expireAfterWrite(tokenCacheTtl)
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .executor(Runnable::run)
        .build();
  }

  /** Authenticates a compact JWS (the text after {@code Bearer }). */
  public CompletionStage<AuthResult> authenticate(String token) {
    try {
      return check(token);
    } catch (RuntimeException e) {
      return done(FailureReason.MALFORMED_CREDENTIAL);
    } catch (LinkageError e) {
      return done(broken(e));
    }
  }

  private CompletionStage<AuthResult> check(String token) {
    if (token == null || token.isEmpty()) {
      return done(FailureReason.MISSING_CREDENTIAL);
    }
    if (token.length() > MAX_TOKEN_LENGTH || !CompactJws.isCanonical(token)) {
      return done(FailureReason.MALFORMED_CREDENTIAL);
    }
    if (verified != null) {
      Verified hit = verified.getIfPresent(token);
      if (hit != null && hit.issuer().keys().current() == hit.keys()) {
        FailureReason timing = checkTimes(hit.claims(), hit.issuer());
        if (timing == null && denyList.isDenied(hit.issuer().issuer(), hit.claims())) {
          timing = FailureReason.REVOKED;
        }
        return CompletableFuture.completedFuture(timing == null ? hit.result() : AuthResult.rejected(timing));
      }
    }
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      JWT parsed = JWTParser.parse(token);
      if (!(parsed instanceof SignedJWT signed)) {
        // Unsecured (alg "none") or encrypted tokens are never accepted.
        return done(parsed.getHeader().getAlgorithm() != null
            && "none".equalsIgnoreCase(parsed.getHeader().getAlgorithm().getName())
            ? FailureReason.DISALLOWED_ALGORITHM : FailureReason.MALFORMED_CREDENTIAL);
      }
      jwt = signed;
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException | RuntimeException e) {
      return done(FailureReason.MALFORMED_CREDENTIAL);
    }
    TrustedIssuer issuer = claims.getIssuer() == null ? null : issuers.get(claims.getIssuer());
    if (issuer == null) {
      return done(FailureReason.UNTRUSTED_ISSUER);
    }
    JWSHeader header = jwt.getHeader();
    if (!issuer.algorithms().contains(header.getAlgorithm())) {
      return done(FailureReason.DISALLOWED_ALGORITHM);
    }
    JWKSet snapshot = issuer.keys().current();
    String kid = header.getKeyID();
    if (snapshot != null && (kid == null || snapshot.getKeyByKeyId(kid) != null)) {
      return CompletableFuture.completedFuture(verifyAndRemember(token, jwt, claims, issuer, snapshot));
    }
    return issuer.keys().reload().handle((reloaded, failure) -> {
      if (failure != null || reloaded == null) {
        return AuthResult.rejected(FailureReason.UNAVAILABLE);
      }
      try {
        return verifyAndRemember(token, jwt, claims, issuer, reloaded);
      } catch (RuntimeException e) {
        return AuthResult.rejected(FailureReason.MALFORMED_CREDENTIAL);
      } catch (LinkageError e) {
        return AuthResult.rejected(broken(e));
      }
    });
  }

  private AuthResult verifyAndRemember(String token, SignedJWT jwt, JWTClaimsSet claims, TrustedIssuer issuer,
      JWKSet keys) {
    AuthResult result = verify(jwt, claims, issuer, keys);
    if (verified != null && result instanceof AuthResult.Authenticated) {
      verified.put(token, new Verified(issuer, keys, claims, result));
    }
    return result;
  }

  private AuthResult verify(SignedJWT jwt, JWTClaimsSet claims, TrustedIssuer issuer, JWKSet keys) {
    JWSHeader header = jwt.getHeader();
    List<JWK> candidates = new ArrayList<>();
    if (header.getKeyID() != null) {
      JWK key = keys.getKeyByKeyId(header.getKeyID());
      if (key == null) {
        return AuthResult.rejected(FailureReason.UNKNOWN_KEY);
      }
      candidates.add(key);
    } else {
      for (JWK key : keys.getKeys()) {
        if (candidates.size() < MAX_KEYS_TRIED && fits(key, header.getAlgorithm())) {
          candidates.add(key);
        }
      }
      if (candidates.isEmpty()) {
        return AuthResult.rejected(FailureReason.UNKNOWN_KEY);
      }
    }
    boolean verified = false;
    for (JWK key : candidates) {
      if (!fits(key, header.getAlgorithm())) {
        return AuthResult.rejected(FailureReason.DISALLOWED_ALGORITHM);
      }
      try {
        if (jwt.verify(verifier(key))) {
          verified = true;
          break;
        }
      } catch (JOSEException | RuntimeException e) {
        // a key that cannot verify this token is a failed verification, not an error of the gateway
      } catch (LinkageError e) {
        return AuthResult.rejected(broken(e));
      }
    }
    if (!verified) {
      return AuthResult.rejected(FailureReason.BAD_SIGNATURE);
    }
    FailureReason timing = checkTimes(claims, issuer);
    if (timing != null) {
      return AuthResult.rejected(timing);
    }
    if (claims.getAudience() == null || !claims.getAudience().contains(issuer.audience())) {
      return AuthResult.rejected(FailureReason.WRONG_AUDIENCE);
    }
    if (denyList.isDenied(issuer.issuer(), claims)) {
      return AuthResult.rejected(FailureReason.REVOKED);
    }
    return map(claims, issuer);
  }

  /**
   * The verifier cannot run (a class or provider missing from the deployment): the gateway is broken, not the token.
   * Logged at most once a minute.
   */
  private FailureReason broken(LinkageError e) {
    long now = clock.millis();
    long last = lastBrokenLog.get();
    if (now - last >= 60_000 && lastBrokenLog.compareAndSet(last, now)) {
      LOG.error("jwt verification cannot run: {} ({}); tokens are refused with 503 until this is fixed",
          e.getClass().getSimpleName(), e.getMessage());
    }
    return FailureReason.UNAVAILABLE;
  }

  /** The key's type (and curve) decides which algorithms it may verify; its own {@code alg}, if set, must match. */
  static boolean fits(JWK key, JWSAlgorithm alg) {
    // key sizes and curves were checked when the key set was loaded (VerificationKeys); these checks are cheap
    if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
      return false;
    }
    if (key.getKeyOperations() != null && !key.getKeyOperations().contains(KeyOperation.VERIFY)) {
      return false;
    }
    if (key.getAlgorithm() != null && !key.getAlgorithm().equals(alg)) {
      return false;
    }
    return switch (key) {
      case RSAKey ignored -> JWSAlgorithm.Family.RSA.contains(alg);
      case ECKey ec -> JWSAlgorithm.Family.EC.contains(alg) && Curve.forJWSAlgorithm(alg).contains(ec.getCurve());
      case OctetKeyPair okp -> (JWSAlgorithm.EdDSA.equals(alg) || JWSAlgorithm.Ed25519.equals(alg))
          && Curve.Ed25519.equals(okp.getCurve());
      default -> false;
    };
  }

  private static JWSVerifier verifier(JWK key) throws JOSEException {
    return switch (key) {
      case RSAKey rsa -> new RSASSAVerifier(rsa);
      case ECKey ec -> new ECDSAVerifier(ec);
      case OctetKeyPair okp -> new Ed25519Verifier(okp);
      default -> throw new JOSEException("unsupported key type " + key.getKeyType());
    };
  }

  private FailureReason checkTimes(JWTClaimsSet claims, TrustedIssuer issuer) {
    Instant now = clock.instant();
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      return FailureReason.MISSING_CLAIM;
    }
    if (!now.isBefore(exp.toInstant().plus(issuer.maxSkew()))) {
      return FailureReason.EXPIRED;
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && now.plus(issuer.maxSkew()).isBefore(nbf.toInstant())) {
      return FailureReason.NOT_YET_VALID;
    }
    Date iat = claims.getIssueTime();
    if (iat != null && now.plus(issuer.maxSkew()).isBefore(iat.toInstant())) {
      return FailureReason.NOT_YET_VALID;
    }
    Duration longest = issuer.maxTokenLifetime();
    if (longest != null) {
      // without iat the lifetime left is measured from our clock, which may lag the issuer's by the skew
      Duration lifetime = iat != null ? Duration.between(iat.toInstant(), exp.toInstant())
          : Duration.between(now, exp.toInstant()).minus(issuer.maxSkew());
      if (lifetime.compareTo(longest) > 0) {
        return FailureReason.LIFETIME_TOO_LONG;
      }
    }
    return null;
  }

  private static AuthResult map(JWTClaimsSet claims, TrustedIssuer issuer) {
    String subject = claims.getSubject();
    String tenant = issuer.tenantClaim() == null ? issuer.fixedTenant() : stringClaim(claims, issuer.tenantClaim());
    String plan = issuer.planClaim() == null ? null : stringClaim(claims, issuer.planClaim());
    if (plan == null) {
      plan = issuer.defaultPlan();
    }
    if (!usable(subject) || !usable(tenant) || !usable(plan)) {
      return AuthResult.rejected(FailureReason.MISSING_CLAIM);
    }
    Set<String> scopes = scopes(claims);
    if (scopes == null) {
      return AuthResult.rejected(FailureReason.MISSING_CLAIM);
    }
    Map<String, String> attributes = new HashMap<>();
    attributes.put("issuer", issuer.issuer());
    String clientId = stringClaim(claims, "client_id");
    if (clientId == null) {
      clientId = stringClaim(claims, "azp");
    }
    if (usable(clientId)) {
      attributes.put("client_id", clientId);
    }
    Object cnf = claims.getClaim("cnf");
    if (cnf instanceof Map<?, ?> confirmation && confirmation.get(CertificateBinding.CONFIRMATION) instanceof String x5t) {
      attributes.put(CertificateBinding.ATTRIBUTE, x5t);
    }
    String jti = claims.getJWTID();
    String credentialId = usable(jti) ? jti : subject;
    return AuthResult.authenticated(
        new Principal(tenant, subject, plan, scopes, credentialId, CredentialType.JWT, attributes));
  }

  /** Scopes from {@code scope} (space-separated) or {@code scp} (list or string); {@code null} when malformed. */
  private static Set<String> scopes(JWTClaimsSet claims) {
    Set<String> out = new LinkedHashSet<>();
    Object scope = claims.getClaim("scope");
    Object scp = claims.getClaim("scp");
    for (Object value : new Object[] {scope, scp}) {
      if (value == null) {
        continue;
      }
      if (value instanceof String s) {
        for (String part : s.trim().split(" +")) {
          if (!part.isEmpty()) {
            out.add(part);
          }
        }
      } else if (value instanceof List<?> list) {
        for (Object item : list) {
          if (!(item instanceof String s) || s.isEmpty()) {
            return null;
          }
          out.add(s);
        }
      } else {
        return null;
      }
    }
    return out.size() > MAX_SCOPES ? null : out;
  }

  private static String stringClaim(JWTClaimsSet claims, String name) {
    return claims.getClaim(name) instanceof String s ? s : null;
  }

  private static boolean usable(String value) {
    return value != null && !value.isBlank() && value.length() <= 256;
  }

  private static CompletionStage<AuthResult> done(FailureReason reason) {
    return CompletableFuture.completedFuture(AuthResult.rejected(reason));
  }
}

package dev.portcullis.identity.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.identity.AuthResult;
import dev.portcullis.identity.CredentialType;
import dev.portcullis.identity.FailureReason;
import dev.portcullis.identity.Principal;
import dev.portcullis.identity.TestClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JWT checks against keys served by a real local HTTP server, including the negative cases of issue item 9. */
class JwtAuthenticatorTest {

  static final String ISSUER = "https://idp.example.test/";
  static final String AUDIENCE = "portcullis";
  static RSAKey rsa;
  static RSAKey rotatedRsa;
  static ECKey ec;
  static RSAKey attacker;

  final TestClock clock = new TestClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  final ScheduledExecutorService executor = Executors.newScheduledThreadPool(1);
  JwksServer server;
  Jwks jwks;
  JwtAuthenticator auth;

  @BeforeAll
  static void keys() throws Exception {
    rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    rotatedRsa = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
    ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    attacker = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
  }

  @BeforeEach
  void start() throws Exception {
    server = new JwksServer();
    server.publish("/jwks", new JWKSet(List.of(rsa, ec)));
    server.publish("/attacker", new JWKSet(attacker));
    jwks = Jwks.remote(server.uri("/jwks"),
        new Jwks.Settings(Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofSeconds(2)), executor, clock);
    assertThat(jwks.start(Duration.ofSeconds(5))).isTrue();
    auth = new JwtAuthenticator(List.of(issuer(jwks, "tenant")), clock);
  }

  @AfterEach
  void stop() {
    jwks.close();
    server.close();
    executor.shutdownNow();
  }

  static TrustedIssuer issuer(KeySource keys, String tenantClaim) {
    return new TrustedIssuer(ISSUER, AUDIENCE, keys, Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), tenantClaim,
        null, null, "standard", Duration.ofSeconds(30));
  }

  JWTClaimsSet.Builder claims() {
    Instant now = clock.instant();
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience(List.of(AUDIENCE, "other"))
        .subject("svc-reporting")
        .claim("tenant", "acme")
        .claim("scope", "chat embed")
        .jwtID("jti-1")
        .issueTime(Date.from(now))
        .notBeforeTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(300)));
  }

  static String sign(JWSSigner signer, JWSHeader header, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt = new SignedJWT(header, claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  static String rs256(RSAKey key, JWTClaimsSet claims) throws Exception {
    return sign(new RSASSASigner(key),
        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
  }

  AuthResult check(String token) {
    return auth.authenticate(token).toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
  }

  static FailureReason reason(AuthResult result) {
    return result instanceof AuthResult.Rejected r ? r.reason() : null;
  }

  @Test
  void acceptsAnRs256TokenAndMapsItsClaims() throws Exception {
    AuthResult result = check(rs256(rsa, claims().claim("plan", "pro").claim("azp", "reporting-app").build()));
    assertThat(result).isInstanceOf(AuthResult.Authenticated.class);
    Principal p = ((AuthResult.Authenticated) result).principal();
    assertThat(p.tenant()).isEqualTo("acme");
    assertThat(p.subject()).isEqualTo("svc-reporting");
    assertThat(p.plan()).isEqualTo("standard");
    assertThat(p.scopes()).containsExactlyInAnyOrder("chat", "embed");
    assertThat(p.credentialId()).isEqualTo("jti-1");
    assertThat(p.type()).isEqualTo(CredentialType.JWT);
    assertThat(p.attributes()).containsEntry("issuer", ISSUER).containsEntry("client_id", "reporting-app");
  }

  @Test
  void acceptsAnEs256TokenSynchronouslyWhenItsKeyIsCached() throws Exception {
    String token = sign(new ECDSASigner(ec), new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-1").build(),
        claims().claim("scope", null).claim("scp", List.of("chat")).build());
    CompletableFuture<AuthResult> result = auth.authenticate(token).toCompletableFuture();
    assertThat(result).isCompleted();
    assertThat(((AuthResult.Authenticated) result.join()).principal().scopes()).containsExactly("chat");
  }

  @Test
  void refusesAlgNoneInAnyLetterCase() {
    String payload = Base64URL.encode(claims().build().toString()).toString();
    for (String alg : List.of("none", "NONE", "None", "nOnE")) {
      String header = Base64URL.encode("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}").toString();
      assertThat(reason(check(header + "." + payload + "."))).as(alg)
          .isIn(FailureReason.DISALLOWED_ALGORITHM, FailureReason.MALFORMED_CREDENTIAL)
          .isNotNull();
    }
    String header = Base64URL.encode("{\"alg\":\"none\"}").toString();
    assertThat(reason(check(header + "." + payload + "."))).isEqualTo(FailureReason.DISALLOWED_ALGORITHM);
  }

  @Test
  void refusesHs256TokenSignedWithTheRsaPublicKey() throws Exception {
    byte[] publicKeyBytes = rsa.toRSAPublicKey().getEncoded();
    String forged = sign(new MACSigner(publicKeyBytes),
        new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(), claims().build());
    assertThat(reason(check(forged))).isEqualTo(FailureReason.DISALLOWED_ALGORITHM);
    String pem = rsa.toPublicJWK().toJSONString();
    String forgedWithJson = sign(new MACSigner(pem.getBytes(StandardCharsets.UTF_8)),
        new JWSHeader.Builder(JWSAlgorithm.HS256).build(), claims().build());
    assertThat(reason(check(forgedWithJson))).isEqualTo(FailureReason.DISALLOWED_ALGORITHM);
  }

  @Test
  void theKeyTypeDecidesTheAlgorithm() {
    assertThat(JwtAuthenticator.fits(rsa.toPublicJWK(), JWSAlgorithm.HS256)).isFalse();
    assertThat(JwtAuthenticator.fits(rsa.toPublicJWK(), JWSAlgorithm.ES256)).isFalse();
    assertThat(JwtAuthenticator.fits(ec.toPublicJWK(), JWSAlgorithm.RS256)).isFalse();
    assertThat(JwtAuthenticator.fits(ec.toPublicJWK(), JWSAlgorithm.ES384)).isFalse();
    assertThat(JwtAuthenticator.fits(ec.toPublicJWK(), JWSAlgorithm.ES256)).isTrue();
    assertThatThrownBy(() -> new TrustedIssuer(ISSUER, AUDIENCE, jwks, Set.of(JWSAlgorithm.HS256), "tenant", null,
        null, "standard", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesAnRsaKeyUsedWithAnEcAlgorithm() throws Exception {
    String token = sign(new ECDSASigner(ec), new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("rsa-1").build(),
        claims().build());
    assertThat(reason(check(token))).isEqualTo(FailureReason.DISALLOWED_ALGORITHM);
  }

  @Test
  void refusesExpiredTokensBeyondTheSkew() throws Exception {
    String token = rs256(rsa, claims().build());
    clock.advance(Duration.ofSeconds(300 + 29));
    assertThat(check(token)).isInstanceOf(AuthResult.Authenticated.class);
    clock.advance(Duration.ofSeconds(1));
    assertThat(reason(check(token))).isEqualTo(FailureReason.EXPIRED);
  }

  @Test
  void refusesTokensWithoutExpiry() throws Exception {
    assertThat(reason(check(rs256(rsa, claims().expirationTime(null).build())))).isEqualTo(FailureReason.MISSING_CLAIM);
  }

  @Test
  void refusesTokensNotYetValid() throws Exception {
    Instant later = clock.instant().plusSeconds(120);
    assertThat(reason(check(rs256(rsa, claims().notBeforeTime(Date.from(later)).build()))))
        .isEqualTo(FailureReason.NOT_YET_VALID);
    assertThat(reason(check(rs256(rsa, claims().issueTime(Date.from(later)).build()))))
        .isEqualTo(FailureReason.NOT_YET_VALID);
    Instant withinSkew = clock.instant().plusSeconds(20);
    assertThat(check(rs256(rsa, claims().notBeforeTime(Date.from(withinSkew)).build())))
        .isInstanceOf(AuthResult.Authenticated.class);
  }

  @Test
  void refusesWrongIssuerOrAudience() throws Exception {
    assertThat(reason(check(rs256(rsa, claims().issuer("https://evil.example.test/").build()))))
        .isEqualTo(FailureReason.UNTRUSTED_ISSUER);
    assertThat(reason(check(rs256(rsa, claims().issuer(null).build())))).isEqualTo(FailureReason.UNTRUSTED_ISSUER);
    assertThat(reason(check(rs256(rsa, claims().audience("someone-else").build()))))
        .isEqualTo(FailureReason.WRONG_AUDIENCE);
    assertThat(reason(check(rs256(rsa, claims().audience((String) null).build()))))
        .isEqualTo(FailureReason.WRONG_AUDIENCE);
  }

  @Test
  void refusesAnUnknownKidAndRefetchesAtABoundedRate() throws Exception {
    clock.advance(Duration.ofSeconds(31)); // past the reload interval that the initial load started
    int before = server.hits("/jwks");
    RSAKey stranger = new RSAKeyGenerator(2048).keyID("nobody").generate();
    for (int i = 0; i < 20; i++) {
      assertThat(reason(check(rs256(stranger, claims().build())))).isEqualTo(FailureReason.UNKNOWN_KEY);
    }
    assertThat(server.hits("/jwks") - before).isEqualTo(1);
    clock.advance(Duration.ofSeconds(31));
    assertThat(reason(check(rs256(stranger, claims().build())))).isEqualTo(FailureReason.UNKNOWN_KEY);
    assertThat(server.hits("/jwks") - before).isEqualTo(2);
  }

  @Test
  void acceptsTokensFromARotatedKeyAfterRefetchingOnItsNewKid() throws Exception {
    clock.advance(Duration.ofSeconds(31));
    String fresh = rs256(rotatedRsa, claims().build());
    server.publish("/jwks", new JWKSet(List.of(rotatedRsa, ec)));
    assertThat(check(fresh)).isInstanceOf(AuthResult.Authenticated.class);
    assertThat(reason(check(rs256(rsa, claims().build())))).isEqualTo(FailureReason.UNKNOWN_KEY);
  }

  @Test
  void refreshesTheKeySetInTheBackground() throws Exception {
    try (Jwks quick = Jwks.remote(server.uri("/jwks"),
        new Jwks.Settings(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(2)), executor, clock)) {
      assertThat(quick.start(Duration.ofSeconds(5))).isTrue();
      server.publish("/jwks", new JWKSet(rotatedRsa));
      await().atMost(Duration.ofSeconds(5)).until(() -> quick.current().getKeyByKeyId("rsa-2") != null);
    }
  }

  @Test
  void keepsTheLastKeysWhenARefreshFails() throws Exception {
    server.close();
    clock.advance(Duration.ofSeconds(31));
    jwks.reload().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(jwks.failures()).isEqualTo(1);
    assertThat(check(rs256(rsa, claims().build()))).isInstanceOf(AuthResult.Authenticated.class);
  }

  @Test
  void refusesATamperedPayload() throws Exception {
    String[] parts = rs256(rsa, claims().build()).split("\\.");
    String tampered = Base64URL.encode(claims().claim("tenant", "victim").build().toString()).toString();
    assertThat(reason(check(parts[0] + "." + tampered + "." + parts[2]))).isEqualTo(FailureReason.BAD_SIGNATURE);
  }

  @Test
  void refusesAStrippedSignature() throws Exception {
    String[] parts = rs256(rsa, claims().build()).split("\\.");
    assertThat(reason(check(parts[0] + "." + parts[1] + ".")))
        .isIn(FailureReason.BAD_SIGNATURE, FailureReason.MALFORMED_CREDENTIAL);
    assertThat(reason(check(parts[0] + "." + parts[1]))).isEqualTo(FailureReason.MALFORMED_CREDENTIAL);
  }

  @Test
  void ignoresEmbeddedJwkAndJkuHeaders() throws Exception {
    JWSHeader withJwk = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").jwk(attacker.toPublicJWK()).build();
    assertThat(reason(check(sign(new RSASSASigner(attacker), withJwk, claims().build()))))
        .isEqualTo(FailureReason.BAD_SIGNATURE);
    JWSHeader withJku = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1")
        .jwkURL(server.uri("/attacker")).build();
    assertThat(reason(check(sign(new RSASSASigner(attacker), withJku, claims().build()))))
        .isEqualTo(FailureReason.BAD_SIGNATURE);
    JWSHeader jwkNoKid = new JWSHeader.Builder(JWSAlgorithm.RS256).jwk(attacker.toPublicJWK()).build();
    assertThat(reason(check(sign(new RSASSASigner(attacker), jwkNoKid, claims().build()))))
        .isEqualTo(FailureReason.BAD_SIGNATURE);
    assertThat(server.hits("/attacker")).isZero();
  }

  @Test
  void refusesTokensWithoutTheTenantClaimOrSubject() throws Exception {
    assertThat(reason(check(rs256(rsa, claims().claim("tenant", null).build())))).isEqualTo(FailureReason.MISSING_CLAIM);
    assertThat(reason(check(rs256(rsa, claims().subject(null).build())))).isEqualTo(FailureReason.MISSING_CLAIM);
    assertThat(reason(check(rs256(rsa, claims().claim("scp", 42).build())))).isEqualTo(FailureReason.MISSING_CLAIM);
  }

  @Test
  void aCachedTokenStillExpiresOnTime() throws Exception {
    JwtAuthenticator caching = new JwtAuthenticator(List.of(issuer(jwks, "tenant")), clock, 1000,
        Duration.ofMinutes(10), TokenDenyList.NONE);
    String token = rs256(rsa, claims().build());
    assertThat(caching.authenticate(token).toCompletableFuture().join()).isInstanceOf(AuthResult.Authenticated.class);
    CompletableFuture<AuthResult> hit = caching.authenticate(token).toCompletableFuture();
    assertThat(hit).isCompleted();
    assertThat(hit.join()).isInstanceOf(AuthResult.Authenticated.class);
    clock.advance(Duration.ofSeconds(330));
    assertThat(reason(caching.authenticate(token).toCompletableFuture().join())).isEqualTo(FailureReason.EXPIRED);
  }

  @Test
  void aCachedTokenIsCheckedAgainWhenItsIssuerRetiresTheKey() throws Exception {
    JwtAuthenticator caching = new JwtAuthenticator(List.of(issuer(jwks, "tenant")), clock, 1000,
        Duration.ofMinutes(10), TokenDenyList.NONE);
    String token = rs256(rsa, claims().build());
    assertThat(caching.authenticate(token).toCompletableFuture().join()).isInstanceOf(AuthResult.Authenticated.class);
    server.publish("/jwks", new JWKSet(rotatedRsa));
    clock.advance(Duration.ofSeconds(31));
    jwks.reload().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(reason(caching.authenticate(token).toCompletableFuture().get(5, TimeUnit.SECONDS)))
        .isEqualTo(FailureReason.UNKNOWN_KEY);
  }

  @Test
  void refusesGarbageWithoutThrowing() {
    for (String junk : new String[] {"", "a", "a.b.c", "....", "x".repeat(20_000), "eyJ.eyJ.", "Bearer abc"}) {
      assertThat(check(junk)).as(junk).isInstanceOf(AuthResult.Rejected.class);
    }
  }

  @Test
  void readsKeysFromALocalFileForAirGappedSites(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("jwks.json");
    Files.writeString(file, new JWKSet(ec).toPublicJWKSet().toString());
    try (Jwks local = Jwks.file(file, Jwks.Settings.defaults(), executor, clock)) {
      assertThat(local.start(Duration.ofSeconds(5))).isTrue();
      JwtAuthenticator offline = new JwtAuthenticator(List.of(issuer(local, "tenant")), clock);
      String token = sign(new ECDSASigner(ec), new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-1").build(),
          claims().build());
      assertThat(offline.authenticate(token).toCompletableFuture().get(5, TimeUnit.SECONDS))
          .isInstanceOf(AuthResult.Authenticated.class);
    }
  }

  @Test
  void neverKeepsPrivateKeyMaterialFromTheKeySet() throws Exception {
    server.publishIncludingPrivate("/jwks", new JWKSet(List.of(rsa, ec)));
    clock.advance(Duration.ofSeconds(31));
    jwks.reload().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(jwks.current().getKeys()).hasSize(2);
    assertThat(jwks.current().getKeys()).allSatisfy(k -> assertThat(k.isPrivate()).isFalse());
  }
}

package dev.portcullis.identity.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
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
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.identity.TestClock;
import dev.portcullis.identity.apikey.ApiKeyHasher;
import dev.portcullis.identity.store.IdentityStore;
import dev.portcullis.identity.store.IdentityStores;
import dev.portcullis.identity.store.Plan;
import dev.portcullis.identity.store.PrincipalKind;
import dev.portcullis.identity.store.StoredPrincipal;
import dev.portcullis.identity.store.Tenant;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client authentication with signed assertions (private_key_jwt, RFC 7523), and every way to get it wrong. */
class PrivateKeyJwtTest {

  static final String TOKEN_ENDPOINT = "https://gw.example.test/oauth2/token";
  static final TokenOutcome INVALID_CLIENT = new TokenOutcome.Refused(TokenOutcome.OAuthError.INVALID_CLIENT);

  @TempDir Path dir;
  final TestClock clock = new TestClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  final ExecutorService workers = Executors.newFixedThreadPool(2);
  IdentityStore store;
  TokenIssuer issuer;
  ECKey key;

  @BeforeEach
  void setUp() throws Exception {
    store = IdentityStores.sqlite(dir.resolve("id.db"));
    store.createPlan(new Plan("pro", "Pro"));
    store.createTenant(new Tenant("acme", "Acme", "pro", clock.instant(), false));
    store.createPrincipal(new StoredPrincipal("ci", "acme", PrincipalKind.APPLICATION, null, Map.of(),
        clock.instant()));
    issuer = new TokenIssuer(store, new ApiKeyHasher(new byte[32]), SigningKeyRing.inMemory(clock,
        Duration.ofMinutes(20)), new RevokedTokens(store, 1000, clock), workers, clock,
        new IssuerSettings(URI.create("https://gw.example.test"), "portcullis", Duration.ofMinutes(10)));
    key = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
    issuer.registerKeyClient("signer", "acme", "ci", Set.of("chat"), new JWKSet(key.toPublicJWK()).toString());
    issuer.registerClient("secret-bot", "acme", "ci", Set.of("chat"));
  }

  @AfterEach
  void tearDown() {
    workers.shutdownNow();
    store.close();
  }

  JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder().issuer("signer").subject("signer").audience(TOKEN_ENDPOINT)
        .expirationTime(Date.from(clock.instant().plusSeconds(60))).jwtID(UUID.randomUUID().toString());
  }

  String signed(JWTClaimsSet claims) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").build(), claims);
    jwt.sign(new ECDSASigner(key));
    return jwt.serialize();
  }

  TokenOutcome issue(String clientId, String assertion) {
    return issuer.issue(new TokenRequest("client_credentials", clientId, null, null, null, ClientAssertions.TYPE,
        assertion)).toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
  }

  @Test
  void aSignedAssertionGetsATokenOnceOnly() throws Exception {
    String assertion = signed(claims().build());
    assertThat(issue(null, assertion)).isInstanceOf(TokenOutcome.Issued.class);
    assertThat(issue(null, assertion)).as("replayed").isEqualTo(INVALID_CLIENT);
    assertThat(issue("signer", signed(claims().build()))).isInstanceOf(TokenOutcome.Issued.class);
    assertThat(issue("signer", signed(claims().audience("https://gw.example.test").build())))
        .as("the issuer identifier is an accepted audience").isInstanceOf(TokenOutcome.Issued.class);
    assertThat(issuer.authenticateClient(null, null, ClientAssertions.TYPE, signed(claims().build())))
        .isEqualTo("signer");
  }

  @Test
  void refusesAssertionsWithWrongClaims() throws Exception {
    Instant now = clock.instant();
    assertThat(issue(null, signed(claims().audience("https://elsewhere.example/token").build()))).isEqualTo(INVALID_CLIENT);
    assertThat(issue(null, signed(claims().expirationTime(Date.from(now.minusSeconds(60))).build())))
        .as("expired").isEqualTo(INVALID_CLIENT);
    assertThat(issue(null, signed(claims().expirationTime(Date.from(now.plus(Duration.ofHours(1)))).build())))
        .as("lives too long").isEqualTo(INVALID_CLIENT);
    assertThat(issue(null, signed(claims().expirationTime(null).build()))).as("no exp").isEqualTo(INVALID_CLIENT);
    assertThat(issue(null, signed(claims().jwtID(null).build()))).as("no jti").isEqualTo(INVALID_CLIENT);
    assertThat(issue(null, signed(claims().subject("someone-else").build()))).isEqualTo(INVALID_CLIENT);
    assertThat(issue("secret-bot", signed(claims().build()))).as("client id differs from iss")
        .isEqualTo(INVALID_CLIENT);
    assertThat(issue(null, signed(claims().notBeforeTime(Date.from(now.plusSeconds(120))).build())))
        .as("not yet valid").isEqualTo(INVALID_CLIENT);
  }

  @Test
  void refusesForeignKeysAndAlgorithmTricks() throws Exception {
    ECKey other = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
    SignedJWT foreign = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").build(), claims().build());
    foreign.sign(new ECDSASigner(other));
    assertThat(issue(null, foreign.serialize())).as("signed by another key").isEqualTo(INVALID_CLIENT);

    // signed by the registered key, so only the refusal of key material in the header can stop it
    for (JWSHeader header : List.of(
        new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").jwk(key.toPublicJWK()).build(),
        new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").jwkURL(URI.create("https://evil.example/jwks")).build(),
        new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").x509CertURL(URI.create("https://evil.example/c")).build())) {
      SignedJWT embedded = new SignedJWT(header, claims().build());
      embedded.sign(new ECDSASigner(key));
      assertThat(issue(null, embedded.serialize())).as("key material in the header").isEqualTo(INVALID_CLIENT);
    }

    assertThat(issue(null, new PlainJWT(claims().build()).serialize())).as("alg none").isEqualTo(INVALID_CLIENT);
    String[] parts = signed(claims().build()).split("\\.");
    String noneHeader = Base64URL.encode("{\"alg\":\"NoNe\"}").toString();
    assertThat(issue(null, noneHeader + "." + parts[1] + ".")).isEqualTo(INVALID_CLIENT);
    assertThat(issue(null, parts[0] + "." + parts[1] + ".")).as("signature stripped").isEqualTo(INVALID_CLIENT);

    SignedJWT hmac = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims().build());
    hmac.sign(new MACSigner(key.toPublicJWK().toJSONString().repeat(2).getBytes()));
    assertThat(issue(null, hmac.serialize())).as("HS256 keyed with the public key").isEqualTo(INVALID_CLIENT);
    assertThat(issue(null, "garbage")).isEqualTo(INVALID_CLIENT);
  }

  @Test
  void eachClientHasOneMethod() throws Exception {
    assertThat(issuer.issue(new TokenRequest("client_credentials", "signer", "", null)).toCompletableFuture()
        .join()).as("a key client has no secret").isEqualTo(INVALID_CLIENT);
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").build(),
        claims().issuer("secret-bot").subject("secret-bot").build());
    jwt.sign(new ECDSASigner(key));
    assertThat(issue(null, jwt.serialize())).as("a secret client has no keys").isEqualTo(INVALID_CLIENT);
    assertThat(issuer.issue(new TokenRequest("client_credentials", "signer", "x", null, null, ClientAssertions.TYPE,
        signed(claims().build()))).toCompletableFuture().join()).as("two methods at once").isEqualTo(INVALID_CLIENT);
    assertThat(issuer.issue(new TokenRequest("client_credentials", null, null, null, null, "urn:other",
        signed(claims().build()))).toCompletableFuture().join()).as("unknown assertion type").isEqualTo(INVALID_CLIENT);
  }

  @Test
  void rsaKeysWorkAndOnlySoundPublicKeysRegister() throws Exception {
    RSAKey rsa = new RSAKeyGenerator(2048).keyID("r1").generate();
    issuer.registerKeyClient("rsa-signer", "acme", "ci", Set.of("chat"), new JWKSet(rsa.toPublicJWK()).toString());
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.PS256).keyID("r1").build(),
        claims().issuer("rsa-signer").subject("rsa-signer").build());
    jwt.sign(new RSASSASigner(rsa));
    assertThat(issue(null, jwt.serialize())).isInstanceOf(TokenOutcome.Issued.class);

    assertThatThrownBy(() -> ClientAssertions.validateKeys(new JWKSet(key).toString(false)))
        .hasMessageContaining("public keys only");
    assertThatThrownBy(() -> ClientAssertions.validateKeys(new JWKSet(new RSAKeyGenerator(1024, true).generate()
        .toPublicJWK()).toString())).hasMessageContaining("2048");
    assertThatThrownBy(() -> ClientAssertions.validateKeys("{\"keys\":[]}")).hasMessageContaining("1 to 8");
    assertThatThrownBy(() -> ClientAssertions.validateKeys("nope")).hasMessageContaining("JWK set");
  }

  @Test
  void metadataAdvertisesTheMethod() {
    assertThat(issuer.metadata()).containsEntry("token_endpoint_auth_methods_supported",
        List.of("client_secret_basic", "client_secret_post", "private_key_jwt"));
  }
}

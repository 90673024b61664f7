package dev.portcullis.identity.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.identity.AuthResult;
import dev.portcullis.identity.CredentialType;
import dev.portcullis.identity.FailureReason;
import dev.portcullis.identity.Principal;
import dev.portcullis.identity.TestClock;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tokens issued by a real external identity provider (Keycloak, started as a child process) with the
 * client-credentials grant and validated over its JWKS endpoint, including a signing-key rotation at the
 * provider (issue 3, item 9).
 */
class ExternalIdpTest {

  static final String REALM = "portcullis";
  static final String AUDIENCE = "portcullis-gateway";
  static final Duration RELOAD_INTERVAL = Duration.ofSeconds(30);

  static KeycloakServer keycloak;
  static KeycloakServer.RegisteredClient reporting;
  static KeycloakServer.RegisteredClient billing;

  // The fake clock starts at the real time and only moves ahead of it, so the provider's iat never lies in its future.
  final TestClock clock = new TestClock(Instant.now());
  final ScheduledExecutorService executor = Executors.newScheduledThreadPool(1);
  Jwks jwks;
  JwtAuthenticator gateway;

  @BeforeAll
  static void startProvider() {
    keycloak = KeycloakServer.start(KeycloakServer.homeFromBuild(), Duration.ofSeconds(240));
    keycloak.createRealm(REALM, List.of("chat", "embed"));
    reporting = keycloak.registerClient(REALM, "reporting-app", AUDIENCE, Map.of("tenant", "acme", "plan", "pro"),
        List.of("chat", "embed"));
    billing = keycloak.registerClient(REALM, "billing-app", "billing-service", Map.of("tenant", "acme"),
        List.of("chat"));
  }

  @AfterAll
  static void stopProvider() {
    if (keycloak != null) {
      keycloak.close();
    }
  }

  @BeforeEach
  void startGateway() {
    jwks = Jwks.remote(keycloak.jwksUri(REALM),
        new Jwks.Settings(Duration.ofMinutes(5), RELOAD_INTERVAL, Duration.ofSeconds(5)), executor, clock);
    assertThat(jwks.start(Duration.ofSeconds(10))).isTrue();
    gateway = new JwtAuthenticator(List.of(trusting(AUDIENCE, jwks)), clock);
  }

  @AfterEach
  void stopGateway() {
    jwks.close();
    executor.shutdownNow();
  }

  static TrustedIssuer trusting(String audience, KeySource keys) {
    return new TrustedIssuer(keycloak.issuer(REALM), audience, keys, Set.of(JWSAlgorithm.RS256), "tenant", null,
        "plan", "standard", Duration.ofSeconds(30));
  }

  AuthResult check(JwtAuthenticator authenticator, String token) {
    return authenticator.authenticate(token).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }

  static FailureReason reason(AuthResult result) {
    return result instanceof AuthResult.Rejected r ? r.reason() : null;
  }

  static String kid(String token) throws ParseException {
    return SignedJWT.parse(token).getHeader().getKeyID();
  }

  @Test
  void validatesAClientCredentialsTokenFromTheProviderAndMapsItsClaims() throws Exception {
    String token = keycloak.clientCredentialsToken(REALM, reporting);
    long loads = jwks.loads();

    AuthResult result = check(gateway, token);

    assertThat(result).isInstanceOf(AuthResult.Authenticated.class);
    Principal p = ((AuthResult.Authenticated) result).principal();
    assertThat(p.tenant()).isEqualTo("acme");
    assertThat(p.subject()).isEqualTo(reporting.serviceAccountUserId());
    assertThat(p.plan()).isEqualTo("pro");
    assertThat(p.scopes()).containsExactlyInAnyOrder("chat", "embed");
    assertThat(p.credentialId()).isEqualTo(SignedJWT.parse(token).getJWTClaimsSet().getJWTID()).isNotBlank();
    assertThat(p.type()).isEqualTo(CredentialType.JWT);
    assertThat(p.attributes())
        .containsEntry("issuer", keycloak.issuer(REALM))
        .containsEntry("client_id", "reporting-app");
    assertThat(jwks.loads()).as("the key was already in the fetched set").isEqualTo(loads);
  }

  @Test
  void followsASigningKeyRotationAtTheProvider() throws Exception {
    KeycloakServer.SigningKey before = keycloak.activeSigningKey(REALM);
    String oldToken = keycloak.clientCredentialsToken(REALM, reporting);
    assertThat(kid(oldToken)).isEqualTo(before.kid());
    assertThat(check(gateway, oldToken)).isInstanceOf(AuthResult.Authenticated.class);

    // The provider starts signing with a new key; the old one stays published for tokens already out.
    KeycloakServer.SigningKey rotated = keycloak.addSigningKey(REALM, before.priority() + 100);
    String newToken = keycloak.clientCredentialsToken(REALM, reporting);
    assertThat(kid(newToken)).isEqualTo(rotated.kid()).isNotEqualTo(before.kid());
    assertThat(jwks.current().getKeyByKeyId(rotated.kid())).as("the gateway has not seen the new key yet").isNull();

    clock.advance(RELOAD_INTERVAL.plusSeconds(1));
    long loads = jwks.loads();
    AuthResult afterRotation = check(gateway, newToken);
    assertThat(afterRotation).isInstanceOf(AuthResult.Authenticated.class);
    assertThat(((AuthResult.Authenticated) afterRotation).principal().tenant()).isEqualTo("acme");
    assertThat(jwks.loads()).as("the unknown kid caused exactly one re-fetch").isEqualTo(loads + 1);
    assertThat(check(gateway, oldToken)).isInstanceOf(AuthResult.Authenticated.class);

    // The provider retires the old key; the gateway's next refresh drops it.
    keycloak.removeKeyProvider(REALM, before.providerId());
    clock.advance(RELOAD_INTERVAL.plusSeconds(1));
    jwks.reload().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(jwks.current().getKeyByKeyId(before.kid())).isNull();
    long loadsAfterRetirement = jwks.loads();
    for (int i = 0; i < 10; i++) {
      assertThat(reason(check(gateway, oldToken))).isEqualTo(FailureReason.UNKNOWN_KEY);
    }
    assertThat(jwks.loads()).as("refused kids do not re-fetch within the reload interval")
        .isEqualTo(loadsAfterRetirement);
    assertThat(check(gateway, newToken)).isInstanceOf(AuthResult.Authenticated.class);
  }

  @Test
  void refusesATokenTheProviderIssuedForAnotherAudience() throws Exception {
    String token = keycloak.clientCredentialsToken(REALM, billing);
    assertThat(SignedJWT.parse(token).getJWTClaimsSet().getAudience()).containsExactly("billing-service");

    assertThat(reason(check(gateway, token))).isEqualTo(FailureReason.WRONG_AUDIENCE);
    JwtAuthenticator billingService = new JwtAuthenticator(List.of(trusting("billing-service", jwks)), clock);
    assertThat(check(billingService, token)).as("the same token is genuine for its own audience")
        .isInstanceOf(AuthResult.Authenticated.class);
  }

  @Test
  void refusesATamperedToken() throws Exception {
    String token = keycloak.clientCredentialsToken(REALM, reporting);
    String[] parts = token.split("\\.");
    JWTClaimsSet claims = SignedJWT.parse(token).getJWTClaimsSet();
    String otherTenant = Base64URL.encode(new JWTClaimsSet.Builder(claims).claim("tenant", "victim").build().toString())
        .toString();
    assertThat(reason(check(gateway, parts[0] + "." + otherTenant + "." + parts[2])))
        .isEqualTo(FailureReason.BAD_SIGNATURE);

    byte[] signature = Base64URL.from(parts[2]).decode();
    signature[signature.length / 2] ^= 0x01;
    assertThat(reason(check(gateway, parts[0] + "." + parts[1] + "." + Base64URL.encode(signature))))
        .isEqualTo(FailureReason.BAD_SIGNATURE);
    assertThat(check(gateway, token)).isInstanceOf(AuthResult.Authenticated.class);
  }
}

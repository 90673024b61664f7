package dev.portcullis.identity.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import dev.portcullis.identity.AuthResult;
import dev.portcullis.identity.FailureReason;
import dev.portcullis.identity.Principal;
import dev.portcullis.identity.TestClock;
import dev.portcullis.identity.apikey.ApiKeyHasher;
import dev.portcullis.identity.jwt.JwtAuthenticator;
import dev.portcullis.identity.store.IdentityStore;
import dev.portcullis.identity.store.IdentityStores;
import dev.portcullis.identity.store.Plan;
import dev.portcullis.identity.store.PrincipalKind;
import dev.portcullis.identity.store.StoredPrincipal;
import dev.portcullis.identity.store.Tenant;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client-credentials issuer against a real SQLite store; its tokens checked by the gateway's JWT path. */
class TokenIssuerTest {

  @TempDir Path dir;
  final TestClock clock = new TestClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  final ExecutorService workers = Executors.newFixedThreadPool(2);
  IdentityStore store;
  SigningKeyRing ring;
  TokenIssuer issuer;
  JwtAuthenticator gateway;
  IssuedClient client;

  @BeforeEach
  void setUp() {
    store = IdentityStores.sqlite(dir.resolve("id.db"));
    store.createPlan(new Plan("pro", "Pro"));
    store.createTenant(new Tenant("acme", "Acme", "pro", clock.instant(), false));
    store.createPrincipal(new StoredPrincipal("ci", "acme", PrincipalKind.APPLICATION, null, Map.of(),
        clock.instant()));
    ring = SigningKeyRing.inMemory(clock, Duration.ofMinutes(20));
    issuer = new TokenIssuer(store, new ApiKeyHasher(new byte[32]), ring, new RevokedTokens(store, 1000, clock), workers,
        clock, new IssuerSettings(URI.create("https://gw.example.test"), "portcullis", Duration.ofMinutes(10)));
    client = issuer.registerClient("ci-runner", "acme", "ci", Set.of("chat", "embed", "models"));
    gateway = new JwtAuthenticator(List.of(issuer.asTrustedIssuer()), clock, 100, Duration.ofMinutes(1),
        issuer.denyList());
  }

  @AfterEach
  void tearDown() {
    workers.shutdownNow();
    store.close();
  }

  TokenOutcome issue(String grant, String id, String secret, String scope) {
    return issuer.issue(new TokenRequest(grant, id, secret, scope)).toCompletableFuture()
        .orTimeout(5, TimeUnit.SECONDS).join();
  }

  AuthResult check(String token) {
    return gateway.authenticate(token).toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
  }

  @Test
  void issuesAnEs256TokenThatTheGatewayMapsToThePrincipal() {
    TokenOutcome outcome = issue("client_credentials", "ci-runner", client.secret(), "chat embed");
    TokenOutcome.Issued issued = (TokenOutcome.Issued) outcome;
    assertThat(issued.scope()).isEqualTo("chat embed");
    assertThat(issued.expiresInSeconds()).isEqualTo(600);
    assertThat(issued.tokenType()).isEqualTo("Bearer");
    Principal p = ((AuthResult.Authenticated) check(issued.accessToken())).principal();
    assertThat(p.tenant()).isEqualTo("acme");
    assertThat(p.subject()).isEqualTo("ci");
    assertThat(p.plan()).isEqualTo("pro");
    assertThat(p.scopes()).containsExactlyInAnyOrder("chat", "embed");
    assertThat(p.attributes()).containsEntry("client_id", "ci-runner");
  }

  @Test
  void grantsAllAllowedScopesWhenNoneAreRequested() {
    assertThat(((TokenOutcome.Issued) issue("client_credentials", "ci-runner", client.secret(), null)).scope())
        .isEqualTo("chat embed models");
  }

  @Test
  void refusesScopesBeyondTheClientsAllowedScopes() {
    assertThat(issue("client_credentials", "ci-runner", client.secret(), "chat admin"))
        .isEqualTo(new TokenOutcome.Refused(TokenOutcome.OAuthError.INVALID_SCOPE));
    assertThat(issue("client_credentials", "ci-runner", client.secret(), "chat \"x\""))
        .isEqualTo(new TokenOutcome.Refused(TokenOutcome.OAuthError.INVALID_SCOPE));
  }

  @Test
  void refusesWrongSecretsUnknownAndRevokedClientsAlike() {
    TokenOutcome invalid = new TokenOutcome.Refused(TokenOutcome.OAuthError.INVALID_CLIENT);
    assertThat(issue("client_credentials", "ci-runner", client.secret() + "x", null)).isEqualTo(invalid);
    assertThat(issue("client_credentials", "nobody", client.secret(), null)).isEqualTo(invalid);
    assertThat(issue("client_credentials", "ci-runner", null, null)).isEqualTo(invalid);
    store.revokeOAuthClient("ci-runner", clock.instant());
    assertThat(issue("client_credentials", "ci-runner", client.secret(), null)).isEqualTo(invalid);
  }

  @Test
  void refusesOtherGrantTypes() {
    assertThat(issue("password", "ci-runner", client.secret(), null))
        .isEqualTo(new TokenOutcome.Refused(TokenOutcome.OAuthError.UNSUPPORTED_GRANT_TYPE));
    assertThat(issue(null, "ci-runner", client.secret(), null))
        .isEqualTo(new TokenOutcome.Refused(TokenOutcome.OAuthError.INVALID_REQUEST));
  }

  @Test
  void storesOnlyAHashOfTheClientSecret() {
    String stored = store.findOAuthClient("ci-runner").orElseThrow().secretHash();
    assertThat(stored).isNotEqualTo(client.secret()).doesNotContain(client.secret());
    assertThat(client.toString()).doesNotContain(client.secret());
  }

  @Test
  void aRevokedTokenIsRefusedAndIntrospectsAsInactive() {
    String token = ((TokenOutcome.Issued) issue("client_credentials", "ci-runner", client.secret(), null))
        .accessToken();
    assertThat(check(token)).isInstanceOf(AuthResult.Authenticated.class);
    assertThat(issuer.introspect(token, "ci-runner")).containsEntry("active", true)
        .containsEntry("client_id", "ci-runner")
        .containsEntry("scope", "chat embed models").containsEntry("tenant", "acme");

    assertThat(issuer.authenticateClient("ci-runner", client.secret())).isTrue();
    assertThat(issuer.authenticateClient("ci-runner", "wrong")).isFalse();
    assertThat(issuer.revoke(token, "someone-else")).isTrue();
    assertThat(check(token)).isInstanceOf(AuthResult.Authenticated.class);

    assertThat(issuer.revoke(token, "ci-runner")).isTrue();
    assertThat(check(token)).isEqualTo(AuthResult.rejected(FailureReason.REVOKED));
    assertThat(issuer.introspect(token, "ci-runner")).isEqualTo(Map.of("active", false));
  }

  @Test
  void aRevocationReachesAnotherInstanceOnTheSameStoreAndSurvivesARestart() {
    RevokedTokens other = new RevokedTokens(store, 1000, clock);
    other.refresh();
    TokenIssuer second = new TokenIssuer(store, new ApiKeyHasher(new byte[32]), ring, other, workers, clock,
        new IssuerSettings(URI.create("https://gw.example.test"), "portcullis", Duration.ofMinutes(10)));
    JwtAuthenticator secondGateway = new JwtAuthenticator(List.of(second.asTrustedIssuer()), clock, 100,
        Duration.ofMinutes(1), second.denyList());
    String token = ((TokenOutcome.Issued) issue("client_credentials", "ci-runner", client.secret(), null))
        .accessToken();
    assertThat(secondGateway.authenticate(token).toCompletableFuture().join())
        .isInstanceOf(AuthResult.Authenticated.class); // now in the second instance's verified-token cache

    assertThat(issuer.revoke(token, "ci-runner")).isTrue();
    clock.advance(Duration.ofSeconds(1));
    other.refresh();
    assertThat(secondGateway.authenticate(token).toCompletableFuture().join())
        .isEqualTo(AuthResult.rejected(FailureReason.REVOKED));
    assertThat(second.introspect(token, "ci-runner")).isEqualTo(Map.of("active", false));

    RevokedTokens restarted = new RevokedTokens(store, 1000, clock);
    restarted.refresh();
    assertThat(restarted.isRevoked(jti(token))).isTrue();

    clock.advance(Duration.ofMinutes(11)); // the token has expired: its revocation no longer matters
    assertThat(restarted.purgeExpired()).isEqualTo(1);
    restarted.refresh();
    assertThat(restarted.isRevoked(jti(token))).isFalse();
  }

  /** issue 10 item 16: revoking a client denies its live tokens on every instance sharing the store. */
  @Test
  void revokingAClientDeniesItsLiveTokensOnEveryInstance() {
    RevokedTokens other = new RevokedTokens(store, 1000, clock);
    other.refresh();
    TokenIssuer second = new TokenIssuer(store, new ApiKeyHasher(new byte[32]), ring, other, workers, clock,
        new IssuerSettings(URI.create("https://gw.example.test"), "portcullis", Duration.ofMinutes(10)));
    JwtAuthenticator secondGateway = new JwtAuthenticator(List.of(second.asTrustedIssuer()), clock, 100,
        Duration.ofMinutes(1), second.denyList());
    String token = ((TokenOutcome.Issued) issue("client_credentials", "ci-runner", client.secret(), null))
        .accessToken();
    assertThat(secondGateway.authenticate(token).toCompletableFuture().join())
        .isInstanceOf(AuthResult.Authenticated.class);

    assertThat(issuer.revokeClient("ci-runner")).isTrue();
    assertThat(check(token)).isEqualTo(AuthResult.rejected(FailureReason.REVOKED));
    assertThat(issue("client_credentials", "ci-runner", client.secret(), null))
        .isInstanceOf(TokenOutcome.Refused.class);
    clock.advance(Duration.ofSeconds(1));
    other.refresh();
    assertThat(secondGateway.authenticate(token).toCompletableFuture().join())
        .isEqualTo(AuthResult.rejected(FailureReason.REVOKED));
    assertThat(issuer.revokeClient("ci-runner")).isFalse();
  }

  /** issue 10 item 22: a client learns nothing about another tenant's tokens. */
  @Test
  void introspectionAnswersInactiveForAnotherTenantsToken() {
    store.createTenant(new Tenant("globex", "Globex", "pro", clock.instant(), false));
    store.createPrincipal(new StoredPrincipal("ci", "globex", PrincipalKind.APPLICATION, null, Map.of(),
        clock.instant()));
    issuer.registerClient("globex-runner", "globex", "ci", Set.of("chat"));
    issuer.registerClient("acme-other", "acme", "ci", Set.of("chat"));
    String token = ((TokenOutcome.Issued) issue("client_credentials", "ci-runner", client.secret(), null))
        .accessToken();
    assertThat(issuer.introspect(token, "globex-runner")).isEqualTo(Map.of("active", false));
    assertThat(issuer.introspect(token, "acme-other")).containsEntry("active", true);
  }

  @Test
  void generatedClientIdsAreDistinctAndKeepTheirName() {
    String a = TokenIssuer.newClientId("billing");
    assertThat(a).startsWith("billing-").isNotEqualTo(TokenIssuer.newClientId("billing"));
    assertThat(TokenIssuer.newClientId(null)).startsWith("client-");
  }

  private static String jti(String token) {
    try {
      return com.nimbusds.jwt.SignedJWT.parse(token).getJWTClaimsSet().getJWTID();
    } catch (java.text.ParseException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void introspectsExpiredForeignAndGarbageTokensAsInactive() {
    String token = ((TokenOutcome.Issued) issue("client_credentials", "ci-runner", client.secret(), null))
        .accessToken();
    assertThat(issuer.introspect("garbage", "ci-runner")).isEqualTo(Map.of("active", false));
    assertThat(issuer.introspect(null, "ci-runner")).isEqualTo(Map.of("active", false));
    clock.advance(Duration.ofMinutes(10));
    assertThat(issuer.introspect(token, "ci-runner")).isEqualTo(Map.of("active", false));
  }

  @Test
  void keepsVerifyingTokensOfARetiredKeyUntilItsRetentionEnds() {
    String before = ((TokenOutcome.Issued) issue("client_credentials", "ci-runner", client.secret(), null))
        .accessToken();
    String oldKid = ring.active().getKeyID();
    ring.rotate();
    assertThat(ring.active().getKeyID()).isNotEqualTo(oldKid);
    assertThat(check(before)).isInstanceOf(AuthResult.Authenticated.class);
    String after = ((TokenOutcome.Issued) issue("client_credentials", "ci-runner", client.secret(), null))
        .accessToken();
    assertThat(check(after)).isInstanceOf(AuthResult.Authenticated.class);

    clock.advance(Duration.ofMinutes(21));
    ring.expireRetired();
    assertThat(ring.current().getKeyByKeyId(oldKid)).isNull();
  }

  @Test
  void publishesOnlyPublicKeysInTheJwks() throws Exception {
    ring.rotate();
    JWKSet published = JWKSet.parse(ring.jwksJson());
    assertThat(published.getKeys()).hasSize(2).allSatisfy(k -> assertThat(k.isPrivate()).isFalse());
  }

  @Test
  void describesItsEndpointsInTheDiscoveryDocument() {
    assertThat(issuer.metadata())
        .containsEntry("issuer", "https://gw.example.test")
        .containsEntry("token_endpoint", "https://gw.example.test/oauth2/token")
        .containsEntry("jwks_uri", "https://gw.example.test/.well-known/jwks.json")
        .containsEntry("grant_types_supported", List.of("client_credentials"));
  }

  @Test
  void parsesClientSecretBasic() {
    String header = "Basic " + Base64.getEncoder().encodeToString("ci%3Arunner:s%2Bcret".getBytes(StandardCharsets.UTF_8));
    assertThat(ClientCredentials.fromBasicHeader(header)).contains(new ClientCredentials("ci:runner", "s+cret"));
    assertThat(ClientCredentials.fromBasicHeader("Basic !!!")).isEmpty();
    assertThat(ClientCredentials.fromBasicHeader("Bearer abc")).isEmpty();
    assertThat(ClientCredentials.fromBasicHeader("Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes())))
        .isEmpty();
  }
}

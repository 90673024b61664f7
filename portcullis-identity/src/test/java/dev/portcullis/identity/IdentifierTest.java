package dev.portcullis.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.identity.apikey.ApiKeyAuthenticator;
import dev.portcullis.identity.apikey.ApiKeyHasher;
import dev.portcullis.identity.apikey.ApiKeyService;
import dev.portcullis.identity.apikey.ApiKeySettings;
import dev.portcullis.identity.apikey.ApiKeySigningKeys;
import dev.portcullis.identity.apikey.IssuedKey;
import dev.portcullis.identity.apikey.KeyInvalidations;
import dev.portcullis.identity.apikey.LastUsedRecorder;
import dev.portcullis.identity.hmac.CanonicalRequest;
import dev.portcullis.identity.hmac.HmacAuthenticator;
import dev.portcullis.identity.hmac.HmacSigner;
import dev.portcullis.identity.hmac.InMemoryNonceStore;
import dev.portcullis.identity.jwt.JwtAuthenticator;
import dev.portcullis.identity.store.IdentityStore;
import dev.portcullis.identity.store.IdentityStores;
import dev.portcullis.identity.store.Plan;
import dev.portcullis.identity.store.PrincipalKind;
import dev.portcullis.identity.store.StoredPrincipal;
import dev.portcullis.identity.store.Tenant;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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

class IdentifierTest {

  static final InetAddress CLIENT = InetAddress.ofLiteral("127.0.0.1");
  @TempDir Path dir;
  final TestClock clock = new TestClock(Instant.parse("2026-05-01T08:00:00Z"));
  final ExecutorService workers = Executors.newFixedThreadPool(2);
  IdentityStore store;
  Identifier identifier;
  IssuedKey key;
  HmacSigner signer;

  @BeforeEach
  void setUp() {
    store = IdentityStores.sqlite(dir.resolve("id.db"));
    store.createPlan(new Plan("pro", "Pro"));
    store.createTenant(new Tenant("acme", "Acme", "pro", clock.instant(), false));
    store.createPrincipal(new StoredPrincipal("app", "acme", PrincipalKind.APPLICATION, null, Map.of(),
        clock.instant()));
    KeyInvalidations bus = KeyInvalidations.inProcess();
    ApiKeyHasher hasher = new ApiKeyHasher(new byte[32]);
    ApiKeyService service = new ApiKeyService(store, hasher, clock, bus);
    key = service.create(new ApiKeyService.KeySpec("acme", "app", "live", Set.of(), List.of(), null));
    signer = new HmacSigner(key.record().id(), service.signingSecret(key.record().id()).orElseThrow());
    identifier = new Identifier(
        new ApiKeyAuthenticator(store, hasher, workers, clock, ApiKeySettings.defaults(),
            new LastUsedRecorder(store, workers, 100), bus),
        new JwtAuthenticator(List.of(), clock),
        new HmacAuthenticator(new ApiKeySigningKeys(store, hasher, workers, clock, 100, Duration.ofSeconds(30), bus),
            new InMemoryNonceStore(100, clock), clock, Duration.ofMinutes(5)));
  }

  @AfterEach
  void tearDown() {
    workers.shutdownNow();
    store.close();
  }

  AuthResult identify(String authorization, String apiKeyHeader, String bodyHash) {
    return identifier.identify(new CredentialRequest(authorization, apiKeyHeader, "GET", "/v1/models", null, bodyHash,
        CLIENT)).toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
  }

  static FailureReason reason(AuthResult r) {
    return r instanceof AuthResult.Rejected rejected ? rejected.reason() : null;
  }

  @Test
  void routesEachCredentialToItsAuthenticator() {
    assertThat(identify("Bearer " + key.secret(), null, null)).isInstanceOf(AuthResult.Authenticated.class);
    assertThat(identify(null, key.secret(), null)).isInstanceOf(AuthResult.Authenticated.class);
    String signed = signer.authorization("GET", "/v1/models", null, new byte[0], clock.instant());
    assertThat(Identifier.needsBodyHash(signed)).isTrue();
    AuthResult hmac = identify(signed, null, CanonicalRequest.EMPTY_BODY_SHA256);
    assertThat(((AuthResult.Authenticated) hmac).principal().type()).isEqualTo(CredentialType.HMAC);
    assertThat(reason(identify("Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln", null, null)))
        .isEqualTo(FailureReason.UNTRUSTED_ISSUER);
  }

  @Test
  void refusesMissingAmbiguousOrUnsupportedCredentials() {
    assertThat(reason(identify(null, null, null))).isEqualTo(FailureReason.MISSING_CREDENTIAL);
    assertThat(reason(identify(" ", "", null))).isEqualTo(FailureReason.MISSING_CREDENTIAL);
    assertThat(reason(identify("Bearer " + key.secret(), key.secret(), null)))
        .isEqualTo(FailureReason.MALFORMED_CREDENTIAL);
    assertThat(reason(identify("Basic dXNlcjpwYXNz", null, null))).isEqualTo(FailureReason.MALFORMED_CREDENTIAL);
    String signed = signer.authorization("GET", "/v1/models", null, new byte[0], clock.instant());
    assertThat(reason(identify(signed, null, null))).isEqualTo(FailureReason.MALFORMED_CREDENTIAL);
  }
}

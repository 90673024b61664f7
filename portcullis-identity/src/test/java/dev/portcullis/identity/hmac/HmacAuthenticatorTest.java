package dev.portcullis.identity.hmac;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.identity.AuthResult;
import dev.portcullis.identity.CredentialType;
import dev.portcullis.identity.FailureReason;
import dev.portcullis.identity.TestClock;
import dev.portcullis.identity.apikey.ApiKeyHasher;
import dev.portcullis.identity.apikey.ApiKeyService;
import dev.portcullis.identity.apikey.ApiKeySigningKeys;
import dev.portcullis.identity.apikey.IssuedKey;
import dev.portcullis.identity.apikey.KeyInvalidations;
import dev.portcullis.identity.store.IdentityStore;
import dev.portcullis.identity.store.IdentityStores;
import dev.portcullis.identity.store.Plan;
import dev.portcullis.identity.store.PrincipalKind;
import dev.portcullis.identity.store.StoredPrincipal;
import dev.portcullis.identity.store.Tenant;
import java.nio.charset.StandardCharsets;
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

/** Signed requests end to end: key issued in a real SQLite store, signed by the client signer, verified. */
class HmacAuthenticatorTest {

  static final byte[] BODY = "{\"model\":\"llama3\",\"messages\":[]}".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;
  final TestClock clock = new TestClock(Instant.parse("2026-05-01T08:00:00Z"));
  final ExecutorService workers = Executors.newFixedThreadPool(2);
  final KeyInvalidations bus = KeyInvalidations.inProcess();
  IdentityStore store;
  ApiKeyService keys;
  ApiKeySigningKeys signingKeys;
  HmacAuthenticator auth;
  IssuedKey key;
  HmacSigner signer;

  @BeforeEach
  void setUp() {
    store = IdentityStores.sqlite(dir.resolve("id.db"));
    store.createPlan(new Plan("pro", "Pro"));
    store.createTenant(new Tenant("acme", "Acme", "pro", clock.instant(), false));
    store.createPrincipal(new StoredPrincipal("etl", "acme", PrincipalKind.APPLICATION, null, Map.of(),
        clock.instant()));
    ApiKeyHasher hasher = new ApiKeyHasher(new byte[32]);
    keys = new ApiKeyService(store, hasher, clock, bus);
    key = keys.create(new ApiKeyService.KeySpec("acme", "etl", "live", Set.of("chat"), List.of(), null));
    signer = new HmacSigner(key.record().id(), keys.signingSecret(key.record().id()).orElseThrow());
    signingKeys = new ApiKeySigningKeys(store, hasher, workers, clock, 1000, Duration.ofSeconds(30), bus);
    auth = new HmacAuthenticator(signingKeys, new InMemoryNonceStore(10_000, clock), clock, Duration.ofMinutes(5));
  }

  @AfterEach
  void tearDown() throws Exception {
    signingKeys.close();
    workers.shutdownNow();
    workers.awaitTermination(5, TimeUnit.SECONDS);
    store.close();
  }

  AuthResult verify(String authorization, String method, String path, String query, byte[] body) {
    return auth.authenticate(authorization, method, path, query, CanonicalRequest.bodySha256(body))
        .toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
  }

  static FailureReason reason(AuthResult result) {
    return result instanceof AuthResult.Rejected r ? r.reason() : null;
  }

  @Test
  void acceptsARequestSignedWithTheIssuedSecret() {
    String header = signer.authorization("POST", "/v1/chat/completions", "stream=true&a=1", BODY, clock.instant());
    AuthResult result = verify(header, "POST", "/v1/chat/completions", "a=1&stream=true", BODY);
    assertThat(result).isInstanceOf(AuthResult.Authenticated.class);
    var principal = ((AuthResult.Authenticated) result).principal();
    assertThat(principal.type()).isEqualTo(CredentialType.HMAC);
    assertThat(principal.tenant()).isEqualTo("acme");
    assertThat(principal.credentialId()).isEqualTo(key.record().id());
  }

  @Test
  void refusesAReplayedRequest() {
    String header = signer.authorization("POST", "/v1/chat/completions", null, BODY, clock.instant());
    assertThat(verify(header, "POST", "/v1/chat/completions", null, BODY)).isInstanceOf(AuthResult.Authenticated.class);
    clock.advance(Duration.ofSeconds(2));
    assertThat(reason(verify(header, "POST", "/v1/chat/completions", null, BODY))).isEqualTo(FailureReason.REPLAYED);
  }

  @Test
  void refusesRequestsOutsideTheSkewWindow() {
    String old = signer.authorization("GET", "/v1/models", null, new byte[0], clock.instant().minusSeconds(301));
    assertThat(reason(verify(old, "GET", "/v1/models", null, new byte[0]))).isEqualTo(FailureReason.STALE_REQUEST);
    String future = signer.authorization("GET", "/v1/models", null, new byte[0], clock.instant().plusSeconds(301));
    assertThat(reason(verify(future, "GET", "/v1/models", null, new byte[0]))).isEqualTo(FailureReason.STALE_REQUEST);
    String edge = signer.authorization("GET", "/v1/models", null, new byte[0], clock.instant().minusSeconds(300));
    assertThat(verify(edge, "GET", "/v1/models", null, new byte[0])).isInstanceOf(AuthResult.Authenticated.class);
  }

  @Test
  void refusesAnyChangeToMethodPathQueryOrBody() {
    String header = signer.authorization("POST", "/v1/chat/completions", "a=1", BODY, clock.instant());
    byte[] otherBody = "{\"model\":\"gpt-4o\",\"messages\":[]}".getBytes(StandardCharsets.UTF_8);
    assertThat(reason(verify(header, "PUT", "/v1/chat/completions", "a=1", BODY))).isEqualTo(FailureReason.BAD_SIGNATURE);
    assertThat(reason(verify(header, "POST", "/v1/embeddings", "a=1", BODY))).isEqualTo(FailureReason.BAD_SIGNATURE);
    assertThat(reason(verify(header, "POST", "/v1/chat/completions", "a=2", BODY))).isEqualTo(FailureReason.BAD_SIGNATURE);
    assertThat(reason(verify(header, "POST", "/v1/chat/completions", "a=1", otherBody)))
        .isEqualTo(FailureReason.BAD_SIGNATURE);
  }

  @Test
  void refusesASignatureMadeWithAnotherSecret() {
    HmacSigner forger = new HmacSigner(key.record().id(), new byte[32]);
    String header = forger.authorization("GET", "/v1/models", null, new byte[0], clock.instant());
    assertThat(reason(verify(header, "GET", "/v1/models", null, new byte[0]))).isEqualTo(FailureReason.BAD_SIGNATURE);
  }

  @Test
  void refusesUnknownAndRevokedKeys() {
    HmacSigner stranger = new HmacSigner("key-unknown", new byte[32]);
    assertThat(reason(verify(stranger.authorization("GET", "/v1/models", null, new byte[0], clock.instant()),
        "GET", "/v1/models", null, new byte[0]))).isEqualTo(FailureReason.UNKNOWN_CREDENTIAL);

    assertThat(verify(signer.authorization("GET", "/v1/models", null, new byte[0], clock.instant()),
        "GET", "/v1/models", null, new byte[0])).isInstanceOf(AuthResult.Authenticated.class);
    keys.revoke(key.record().id());
    assertThat(reason(verify(signer.authorization("GET", "/v1/models", null, new byte[0], clock.instant()),
        "GET", "/v1/models", null, new byte[0]))).isEqualTo(FailureReason.REVOKED);
  }

  @Test
  void refusesMalformedHeadersWithoutThrowing() {
    String good = signer.authorization("GET", "/v1/models", null, new byte[0], clock.instant());
    for (String bad : new String[] {"", "Bearer abc", "PC-HMAC-SHA256 ", "PC-HMAC-SHA256 keyId=a",
        good.replace("ts=", "ts=-"), good + ", extra=1", good.replace("nonce=", "nonce=a,nonce="),
        good.replace("sig=", "sig=x"), "PC-HMAC-SHA256 " + "x".repeat(1000)}) {
      assertThat(reason(verify(bad, "GET", "/v1/models", null, new byte[0]))).as(bad)
          .isEqualTo(FailureReason.MALFORMED_CREDENTIAL);
    }
    assertThat(reason(verify(null, "GET", "/v1/models", null, new byte[0])))
        .isEqualTo(FailureReason.MISSING_CREDENTIAL);
    assertThat(reason(verify(good, "GET", "no-slash", null, new byte[0])))
        .isEqualTo(FailureReason.MALFORMED_CREDENTIAL);
  }
}

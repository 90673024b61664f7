package dev.portcullis.identity.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.identity.AuthResult;
import dev.portcullis.identity.CredentialType;
import dev.portcullis.identity.FailureReason;
import dev.portcullis.identity.Principal;
import dev.portcullis.identity.TestClock;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API key check against a real SQLite store; time moves on a test clock. */
class ApiKeyAuthenticatorTest {

  static final InetAddress CLIENT = InetAddress.ofLiteral("10.1.2.3");
  static final byte[] PEPPER = "0123456789abcdef0123456789abcdef".getBytes();

  @TempDir Path dir;
  final TestClock clock = new TestClock(Instant.parse("2026-03-01T12:00:00Z"));
  final ExecutorService workers = Executors.newFixedThreadPool(2);
  final KeyInvalidations bus = KeyInvalidations.inProcess();
  final ApiKeyHasher hasher = new ApiKeyHasher(PEPPER);
  CountingStore store;
  ApiKeyService keys;
  LastUsedRecorder lastUsed;
  ApiKeyAuthenticator auth;

  @BeforeEach
  void setUp() {
    store = new CountingStore(IdentityStores.sqlite(dir.resolve("id.db")));
    store.createPlan(new Plan("pro", "Pro"));
    store.createTenant(new Tenant("acme", "Acme", "pro", clock.instant(), false));
    store.createTenant(new Tenant("frozen", "Frozen", "pro", clock.instant(), true));
    store.createPrincipal(new StoredPrincipal("bot", "acme", PrincipalKind.APPLICATION, null,
        Map.of("team", "billing"), clock.instant()));
    store.createPrincipal(new StoredPrincipal("bot", "frozen", PrincipalKind.APPLICATION, null, Map.of(),
        clock.instant()));
    keys = new ApiKeyService(store, hasher, clock, bus);
    lastUsed = new LastUsedRecorder(store, workers, 1000);
    auth = newInstance();
  }

  @AfterEach
  void tearDown() throws Exception {
    auth.close();
    workers.shutdownNow();
    workers.awaitTermination(5, TimeUnit.SECONDS);
    store.close();
  }

  ApiKeyAuthenticator newInstance() {
    return new ApiKeyAuthenticator(store, hasher, workers, clock, ApiKeySettings.defaults(), lastUsed, bus);
  }

  IssuedKey issue(List<String> cidrs, Instant expiresAt) {
    return keys.create(new ApiKeyService.KeySpec("acme", "bot", "live", Set.of("chat"), cidrs, expiresAt));
  }

  static AuthResult await(CompletionStage<AuthResult> stage) {
    return stage.toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
  }

  static FailureReason reason(AuthResult result) {
    return result instanceof AuthResult.Rejected r ? r.reason() : null;
  }

  @Test
  void acceptsAnIssuedKeyAndMapsItToThePrincipal() {
    IssuedKey key = issue(List.of(), null);
    AuthResult result = await(auth.authenticate(key.secret(), CLIENT));
    assertThat(result).isInstanceOf(AuthResult.Authenticated.class);
    Principal p = ((AuthResult.Authenticated) result).principal();
    assertThat(p.tenant()).isEqualTo("acme");
    assertThat(p.subject()).isEqualTo("bot");
    assertThat(p.plan()).isEqualTo("pro");
    assertThat(p.scopes()).containsExactly("chat");
    assertThat(p.credentialId()).isEqualTo(key.record().id());
    assertThat(p.type()).isEqualTo(CredentialType.API_KEY);
    assertThat(p.attributes()).containsEntry("team", "billing").containsEntry("environment", "live");
  }

  @Test
  void neverStoresTheKeyInPlainText() {
    IssuedKey key = issue(List.of(), null);
    assertThat(store.findApiKey(key.record().id()).orElseThrow().hash())
        .isEqualTo(hasher.hash(key.secret()))
        .doesNotContain(key.secret().substring(8));
    assertThat(key.toString()).doesNotContain(key.secret());
  }

  @Test
  void refusesATypoWithoutAnyStoreLookup() {
    String secret = issue(List.of(), null).secret();
    char last = secret.charAt(20);
    String typo = secret.substring(0, 20) + (last == 'a' ? 'b' : 'a') + secret.substring(21);
    CompletableFuture<AuthResult> result = auth.authenticate(typo, CLIENT).toCompletableFuture();
    assertThat(result).isCompleted();
    assertThat(reason(result.join())).isEqualTo(FailureReason.BAD_CHECKSUM);
    assertThat(reason(await(auth.authenticate("Bearer nonsense", CLIENT))))
        .isEqualTo(FailureReason.MALFORMED_CREDENTIAL);
    assertThat(store.resolves).hasValue(0);
  }

  @Test
  void answersRepeatedChecksFromTheCacheSynchronously() {
    String secret = issue(List.of(), null).secret();
    await(auth.authenticate(secret, CLIENT));
    for (int i = 0; i < 10; i++) {
      CompletableFuture<AuthResult> again = auth.authenticate(secret, CLIENT).toCompletableFuture();
      assertThat(again).isCompleted();
      assertThat(again.join()).isInstanceOf(AuthResult.Authenticated.class);
    }
    assertThat(store.resolves).hasValue(1);
  }

  @Test
  void remembersUnknownKeysInTheNegativeCacheUntilItsTtlEnds() {
    String stranger = ApiKeyFormat.generate("live");
    assertThat(reason(await(auth.authenticate(stranger, CLIENT)))).isEqualTo(FailureReason.UNKNOWN_CREDENTIAL);
    CompletableFuture<AuthResult> again = auth.authenticate(stranger, CLIENT).toCompletableFuture();
    assertThat(again).isCompleted();
    assertThat(reason(again.join())).isEqualTo(FailureReason.UNKNOWN_CREDENTIAL);
    assertThat(store.resolves).hasValue(1);
    clock.advance(ApiKeySettings.defaults().negativeCacheTtl().plusSeconds(1));
    await(auth.authenticate(stranger, CLIENT));
    assertThat(store.resolves).hasValue(2);
  }

  @Test
  void refusesARevokedKeyOnASecondInstanceAfterRevocationOnTheFirst() {
    String secret = issue(List.of(), null).secret();
    try (ApiKeyAuthenticator second = newInstance()) {
      assertThat(await(auth.authenticate(secret, CLIENT))).isInstanceOf(AuthResult.Authenticated.class);
      assertThat(await(second.authenticate(secret, CLIENT))).isInstanceOf(AuthResult.Authenticated.class);

      String id = store.listApiKeys("acme", 10).getFirst().id();
      assertThat(keys.revoke(id)).isTrue();

      assertThat(reason(await(second.authenticate(secret, CLIENT)))).isEqualTo(FailureReason.REVOKED);
      assertThat(reason(await(auth.authenticate(secret, CLIENT)))).isEqualTo(FailureReason.REVOKED);
    }
  }

  @Test
  void refusesAKeyOnceItExpires() {
    String secret = issue(List.of(), clock.instant().plus(Duration.ofHours(1))).secret();
    assertThat(await(auth.authenticate(secret, CLIENT))).isInstanceOf(AuthResult.Authenticated.class);
    clock.advance(Duration.ofHours(1));
    assertThat(reason(await(auth.authenticate(secret, CLIENT)))).isEqualTo(FailureReason.EXPIRED);
  }

  @Test
  void acceptsOldAndNewKeysDuringTheRotationGraceWindowThenOnlyTheNewOne() {
    IssuedKey old = issue(List.of(), null);
    assertThat(await(auth.authenticate(old.secret(), CLIENT))).isInstanceOf(AuthResult.Authenticated.class);
    IssuedKey fresh = rotated(keys.rotate(old.record().id(), Duration.ofMinutes(10)));

    assertThat(await(auth.authenticate(old.secret(), CLIENT))).isInstanceOf(AuthResult.Authenticated.class);
    assertThat(await(auth.authenticate(fresh.secret(), CLIENT))).isInstanceOf(AuthResult.Authenticated.class);

    clock.advance(Duration.ofMinutes(10));
    assertThat(reason(await(auth.authenticate(old.secret(), CLIENT)))).isEqualTo(FailureReason.EXPIRED);
    assertThat(await(auth.authenticate(fresh.secret(), CLIENT))).isInstanceOf(AuthResult.Authenticated.class);
    assertThat(keys.rotate(old.record().id(), Duration.ZERO)).isInstanceOf(ApiKeyService.Rotation.Unavailable.class);
  }

  static IssuedKey rotated(ApiKeyService.Rotation rotation) {
    assertThat(rotation).isInstanceOf(ApiKeyService.Rotation.Rotated.class);
    return ((ApiKeyService.Rotation.Rotated) rotation).key();
  }

  /** issue 10 item 15: a rotated key keeps its lifetime policy; an expired key is not brought back. */
  @Test
  void rotationKeepsTheKeysLifetimeAndRefusesAnExpiredKey() {
    IssuedKey dated = issue(List.of(), clock.instant().plus(Duration.ofDays(30)));
    clock.advance(Duration.ofDays(10));
    IssuedKey successor = rotated(keys.rotate(dated.record().id(), Duration.ZERO));
    assertThat(successor.record().expiresAt()).isEqualTo(clock.instant().plus(Duration.ofDays(30)));
    IssuedKey forever = rotated(keys.rotate(issue(List.of(), null).record().id(), Duration.ZERO));
    assertThat(forever.record().expiresAt()).isNull();

    IssuedKey brief = issue(List.of(), clock.instant().plus(Duration.ofHours(1)));
    clock.advance(Duration.ofHours(2));
    assertThat(keys.rotate(brief.record().id(), Duration.ofMinutes(10)))
        .isEqualTo(new ApiKeyService.Rotation.Expired(brief.record().expiresAt()));
    assertThat(reason(await(auth.authenticate(brief.secret(), CLIENT)))).isEqualTo(FailureReason.EXPIRED);
    assertThat(store.findApiKey(brief.record().id()).orElseThrow().replacedBy()).isNull();
  }

  @Test
  void aKeysOwnPlanAppliesToItsCallerAndSurvivesRotation() {
    store.createPlan(new Plan("batch", "Batch"));
    IssuedKey own = keys.create(new ApiKeyService.KeySpec("acme", "bot", "live", Set.of("chat"), List.of(), null,
        "batch"));
    AuthResult result = await(auth.authenticate(own.secret(), CLIENT));
    assertThat(((AuthResult.Authenticated) result).principal().plan()).isEqualTo("batch");
    IssuedKey plain = issue(List.of(), null);
    assertThat(((AuthResult.Authenticated) await(auth.authenticate(plain.secret(), CLIENT))).principal().plan())
        .isEqualTo("pro");
    IssuedKey rotated = rotated(keys.rotate(own.record().id(), Duration.ZERO));
    assertThat(rotated.record().plan()).isEqualTo("batch");
    assertThat(((AuthResult.Authenticated) await(auth.authenticate(rotated.secret(), CLIENT))).principal().plan())
        .isEqualTo("batch");
  }

  @Test
  void refusesAPinnedKeyFromAnAddressOutsideItsNetworks() {
    String secret = issue(List.of("10.1.0.0/16", "2001:db8::/32"), null).secret();
    assertThat(await(auth.authenticate(secret, CLIENT))).isInstanceOf(AuthResult.Authenticated.class);
    assertThat(await(auth.authenticate(secret, InetAddress.ofLiteral("2001:db8::7"))))
        .isInstanceOf(AuthResult.Authenticated.class);
    assertThat(reason(await(auth.authenticate(secret, InetAddress.ofLiteral("192.0.2.1")))))
        .isEqualTo(FailureReason.ADDRESS_NOT_ALLOWED);
    assertThat(reason(await(auth.authenticate(secret, null)))).isEqualTo(FailureReason.ADDRESS_NOT_ALLOWED);
  }

  @Test
  void refusesKeysOfAnEnvironmentThisGatewayDoesNotServe() {
    IssuedKey testKey = keys.create(new ApiKeyService.KeySpec("acme", "bot", "dev", Set.of(), List.of(), null));
    assertThat(reason(await(auth.authenticate(testKey.secret(), CLIENT))))
        .isEqualTo(FailureReason.UNKNOWN_CREDENTIAL);
    assertThat(store.resolves).hasValue(0);
  }

  @Test
  void refusesKeysOfADisabledTenant() {
    IssuedKey frozen = keys.create(new ApiKeyService.KeySpec("frozen", "bot", "live", Set.of(), List.of(), null));
    assertThat(reason(await(auth.authenticate(frozen.secret(), CLIENT)))).isEqualTo(FailureReason.REVOKED);
  }

  @Test
  void failsClosedWhenTheStoreIsUnreachable() {
    String secret = issue(List.of(), null).secret();
    store.delegate.close();
    assertThat(reason(await(auth.authenticate(secret, CLIENT)))).isEqualTo(FailureReason.UNAVAILABLE);
  }

  @Test
  void writesLastUsedTimesInBatchesNotPerRequest() {
    IssuedKey key = issue(List.of(), null);
    await(auth.authenticate(key.secret(), CLIENT));
    clock.advance(Duration.ofSeconds(5));
    await(auth.authenticate(key.secret(), CLIENT));
    assertThat(store.findApiKey(key.record().id()).orElseThrow().lastUsedAt()).isNull();
    lastUsed.flush();
    assertThat(store.findApiKey(key.record().id()).orElseThrow().lastUsedAt()).isEqualTo(clock.instant());
  }

  @Test
  void refusesMissingCredential() {
    assertThat(reason(await(auth.authenticate("", CLIENT)))).isEqualTo(FailureReason.MISSING_CREDENTIAL);
    assertThat(reason(await(auth.authenticate(null, CLIENT)))).isEqualTo(FailureReason.MISSING_CREDENTIAL);
  }
}

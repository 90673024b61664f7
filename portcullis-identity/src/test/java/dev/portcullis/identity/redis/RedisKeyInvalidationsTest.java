package dev.portcullis.identity.redis;

import dev.portcullis.testkit.TestRedis;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portcullis.identity.AuthResult;
import dev.portcullis.identity.FailureReason;
import dev.portcullis.identity.apikey.ApiKeyAuthenticator;
import dev.portcullis.identity.apikey.ApiKeyHasher;
import dev.portcullis.identity.apikey.ApiKeyService;
import dev.portcullis.identity.apikey.ApiKeySettings;
import dev.portcullis.identity.apikey.IssuedKey;
import dev.portcullis.identity.apikey.LastUsedRecorder;
import dev.portcullis.identity.store.IdentityStore;
import dev.portcullis.identity.store.IdentityStores;
import dev.portcullis.identity.store.Plan;
import dev.portcullis.identity.store.PrincipalKind;
import dev.portcullis.identity.store.StoredPrincipal;
import dev.portcullis.identity.store.Tenant;
import io.lettuce.core.RedisClient;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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

/**
 * Issue item 9: a key revoked on one instance is refused on a second instance within one second. Two
 * instances share a SQLite store and a real Redis; each has its own Redis connections, cache and bus.
 */
class RedisKeyInvalidationsTest {

  static final InetAddress CLIENT = InetAddress.ofLiteral("127.0.0.1");
  @TempDir Path dir;
  TestRedis redis;
  RedisClient clientA;
  RedisClient clientB;
  RedisKeyInvalidations busA;
  RedisKeyInvalidations busB;
  IdentityStore store;
  String channel;
  final ExecutorService workers = Executors.newFixedThreadPool(2);

  @BeforeEach
  void setUp() {
    redis = TestRedis.start();
    clientA = RedisClient.create(redis.uri());
    clientB = RedisClient.create(redis.uri());
    channel = "t" + UUID.randomUUID() + ":key-invalidations";
    busA = new RedisKeyInvalidations(clientA, channel);
    busB = new RedisKeyInvalidations(clientB, channel);
    store = IdentityStores.sqlite(dir.resolve("id.db"));
    Clock clock = Clock.systemUTC();
    store.createPlan(new Plan("pro", "Pro"));
    store.createTenant(new Tenant("acme", "Acme", "pro", clock.instant(), false));
    store.createPrincipal(new StoredPrincipal("app", "acme", PrincipalKind.APPLICATION, null, Map.of(),
        clock.instant()));
  }

  @AfterEach
  void tearDown() {
    busA.close();
    busB.close();
    clientA.shutdown();
    clientB.shutdown();
    redis.close();
    workers.shutdownNow();
    store.close();
  }

  ApiKeyAuthenticator instance(RedisKeyInvalidations bus, ApiKeyHasher hasher) {
    // A long TTL: only the invalidation message can make the second instance notice the revocation.
    ApiKeySettings settings = new ApiKeySettings(Set.of("live"), 1000, Duration.ofHours(1), 1000,
        Duration.ofSeconds(10));
    return new ApiKeyAuthenticator(store, hasher, workers, Clock.systemUTC(), settings,
        new LastUsedRecorder(store, workers, 100), bus);
  }

  static AuthResult check(ApiKeyAuthenticator auth, String key) {
    return auth.authenticate(key, CLIENT).toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
  }

  @Test
  void aKeyRevokedOnOneInstanceIsRefusedOnAnotherWithinOneSecond() {
    ApiKeyHasher hasher = new ApiKeyHasher(new byte[32]);
    ApiKeyService adminOnA = new ApiKeyService(store, hasher, Clock.systemUTC(), busA);
    IssuedKey key = adminOnA.create(new ApiKeyService.KeySpec("acme", "app", "live", Set.of(), List.of(), null));
    try (ApiKeyAuthenticator a = instance(busA, hasher); ApiKeyAuthenticator b = instance(busB, hasher)) {
      assertThat(check(a, key.secret())).isInstanceOf(AuthResult.Authenticated.class);
      assertThat(check(b, key.secret())).isInstanceOf(AuthResult.Authenticated.class);

      assertThat(adminOnA.revoke(key.record().id())).isTrue();

      assertThat(check(a, key.secret())).isEqualTo(AuthResult.rejected(FailureReason.REVOKED));
      await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
          .until(() -> check(b, key.secret()).equals(AuthResult.rejected(FailureReason.REVOKED)));
    }
  }

  @Test
  void ignoresMessagesThatAreNotKeyHashes() throws Exception {
    java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (AutoCloseable ignored = busB.subscribe(seen::add)) {
      busA.publish("0".repeat(64));
      await().atMost(Duration.ofSeconds(1)).until(() -> seen.contains("0".repeat(64)));
      try (var raw = clientA.connect()) {
        raw.sync().publish(channel, "not a hash");
      }
      busA.publish("1".repeat(64));
      await().atMost(Duration.ofSeconds(1)).until(() -> seen.contains("1".repeat(64)));
      assertThat(seen).doesNotContain("not a hash");
    }
  }
}

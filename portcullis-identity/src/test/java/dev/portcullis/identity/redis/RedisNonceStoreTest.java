package dev.portcullis.identity.redis;

import dev.portcullis.testkit.TestRedis;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portcullis.identity.hmac.AbstractNonceStoreTest;
import dev.portcullis.identity.hmac.NonceStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The nonce contract against a real Redis, with two connections standing for two gateway instances. */
class RedisNonceStoreTest extends AbstractNonceStoreTest {

  static TestRedis redis;
  static RedisClient client;
  static StatefulRedisConnection<String, String> first;
  static StatefulRedisConnection<String, String> second;
  static final String PREFIX = "t" + UUID.randomUUID().toString().substring(0, 8) + ":nonce:";

  @BeforeAll
  static void start() {
    redis = TestRedis.start();
    client = RedisClient.create(redis.uri());
    first = client.connect();
    second = client.connect();
  }

  @AfterAll
  static void stop() {
    first.close();
    second.close();
    client.shutdown();
    redis.close();
  }

  @Override
  protected NonceStore store() {
    return new RedisNonceStore(first, PREFIX);
  }

  @Override
  protected NonceStore otherInstance() {
    return new RedisNonceStore(second, PREFIX);
  }

  @Override
  protected Instant now() {
    return Instant.now();
  }

  @Test
  void forgetsANonceWhenItExpires() {
    NonceStore store = store();
    String nonce = UUID.randomUUID().toString();
    Instant soon = Instant.now().plusMillis(300);
    assertThat(store.claim("key-x", nonce, soon).toCompletableFuture().join()).isEqualTo(NonceStore.Claim.FRESH);
    await().atMost(Duration.ofSeconds(3)).until(() ->
        store.claim("key-x", nonce, Instant.now().plusSeconds(60)).toCompletableFuture().join()
            == NonceStore.Claim.FRESH);
  }
}

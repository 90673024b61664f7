package dev.portcullis.identity.redis;

import dev.portcullis.identity.hmac.NonceStore;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * Nonces shared by all instances: one {@code SET prefix+keyId:nonce 1 NX PXAT expiry} per signed request,
 * atomic in Redis, expiring by itself. A Redis failure completes the stage exceptionally, which the verifier
 * turns into a refusal (fail closed).
 */
public final class RedisNonceStore implements NonceStore {

  private final StatefulRedisConnection<String, String> connection;
  private final String prefix;

  /** @param prefix key prefix, e.g. {@code portcullis:nonce:} */
  public RedisNonceStore(StatefulRedisConnection<String, String> connection, String prefix) {
    this.connection = connection;
    this.prefix = prefix;
  }

  @Override
  public CompletionStage<Claim> claim(String keyId, String nonce, Instant expiresAt) {
    return connection.async()
        .set(prefix + keyId + ':' + nonce, "1", SetArgs.Builder.nx().pxAt(expiresAt.toEpochMilli()))
        .thenApply(reply -> "OK".equals(reply) ? Claim.FRESH : Claim.REPLAYED);
  }
}

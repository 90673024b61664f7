package dev.portcullis.identity.redis;

import dev.portcullis.identity.apikey.KeyInvalidations;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Key invalidations over Redis pub/sub, so that a revocation on one instance reaches every instance in
 * milliseconds. A publish is applied locally first, then sent; if Redis is down the local instance is still
 * right and the others fall back to their cache TTL (counted in {@link #publishFailures()}). After a
 * reconnect every subscriber is told {@link KeyInvalidations#ALL}, because messages may have been missed.
 * Messages that are not a key hash are ignored.
 */
public final class RedisKeyInvalidations implements KeyInvalidations, AutoCloseable {

  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

  private final String channel;
  private final StatefulRedisPubSubConnection<String, String> subscription;
  private final StatefulRedisConnection<String, String> publisher;
  private final CopyOnWriteArrayList<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong publishFailures = new AtomicLong();

  /** Subscribes to {@code channel} (e.g. {@code portcullis:key-invalidations}) at once; fails if Redis is down. */
  public RedisKeyInvalidations(RedisClient client, String channel) {
    this.channel = channel;
    this.publisher = client.connect();
    this.subscription = client.connectPubSub();
    subscription.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String from, String message) {
        if (channel.equals(from) && (HASH.matcher(message).matches() || ALL.equals(message))) {
          deliver(message);
        }
      }
    });
    subscription.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisConnected(io.lettuce.core.RedisChannelHandler<?, ?> connection, SocketAddress address) {
        deliver(ALL);
      }
    });
    subscription.sync().subscribe(channel);
  }

  @Override
  public void publish(String keyHash) {
    deliver(keyHash);
    publisher.async().publish(channel, keyHash).whenComplete((receivers, failure) -> {
      if (failure != null) {
        publishFailures.incrementAndGet();
      }
    });
  }

  @Override
  public AutoCloseable subscribe(Consumer<String> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Publishes that could not be sent to Redis; other instances saw them only through cache expiry. */
  public long publishFailures() {
    return publishFailures.get();
  }

  @Override
  public void close() {
    subscription.close();
    publisher.close();
  }

  private void deliver(String message) {
    for (Consumer<String> listener : listeners) {
      listener.accept(message);
    }
  }
}

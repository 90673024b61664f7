package dev.portcullis.limit.store;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import dev.portcullis.limit.config.FailureMode;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.time.InstantSource;

/** Builds the stores. */
public final class LimitStores {
    /** Default key prefix: one hash tag, so every script's keys share one Redis Cluster slot. */
    public static final String DEFAULT_PREFIX = "portcullis:{limits}:";

    private static final long RECONNECT_NANOS = 1_000_000_000L;

    private LimitStores() {}

    /** Reconnects quickly (10 ms doubling to 1 s) so recovery is noticed within about a second. */
    private static ClientResources resources() {
        return DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
    }

    /**
     * The usual production store: Redis with the configured failure mode. {@code local} bounds are the
     * in-process fallback's capacity.
     */
    public static FailoverLimitStore redisWithFallback(LimitStore redis, InstantSource clock, FailureMode mode,
            int instances, int localMaxKeys) {
        return new FailoverLimitStore(redis, memory(clock, localMaxKeys, localMaxKeys), mode, instances,
                Duration.ofSeconds(1));
    }

    /**
     * The store a configuration asks for: in memory when {@code redisUri} is null, otherwise Redis behind a
     * {@link FailoverLimitStore} with the configuration's failure mode and instance count (read once: changing
     * them needs a restart). Redis keys start with {@code redisPrefix} followed by the hash tag {@code {limits}:}
     * ({@code redisPrefix} itself must carry no braces). With {@code vertx}, a standalone Redis over plain TCP
     * ({@code redis://}) is reached through connections owned by its event loops; TLS ({@code rediss://}) and
     * Sentinel URIs, or no {@code vertx}, use Lettuce. {@code localMaxKeys} bounds the in-process store in both cases.
     */
    public static LimitStore forConfig(dev.portcullis.limit.config.LimitsConfig config, String redisUri,
            String redisPrefix, Duration commandTimeout, InstantSource clock, int localMaxKeys,
            io.vertx.core.Vertx vertx) {
        if (redisUri == null) {
            return memory(clock, localMaxKeys, localMaxKeys);
        }
        String prefix = redisPrefix + "{limits}:";
        LimitStore shared = vertx != null && redisUri.startsWith("redis://")
                ? redisOnEventLoops(vertx, redisUri, commandTimeout, clock, prefix)
                : redis(redisUri, commandTimeout, clock, prefix);
        return redisWithFallback(shared, clock, config.failureMode(), config.instances(), localMaxKeys);
    }

    /** In-process counters, bounded to {@code maxKeys} counters and {@code maxReservations} reservations. */
    public static LimitStore memory(InstantSource clock, int maxKeys, int maxReservations) {
        return new MemoryLimitStore(clock, maxKeys, maxReservations);
    }

    /**
     * Redis standalone or Sentinel ({@code redis://}, {@code rediss://}, {@code redis-sentinel://} URI).
     * Commands fail fast while disconnected and time out after {@code commandTimeout}, so a broken Redis
     * surfaces as a failed stage (which {@link FailoverLimitStore} turns into a fallback decision).
     */
    public static LimitStore redis(String uri, Duration commandTimeout, InstantSource clock, String prefix) {
        RedisURI redisUri = RedisURI.create(uri);
        ClientResources resources = resources();
        RedisClient client = RedisClient.create(resources, redisUri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .build());
        RedisConnection connection = new RedisConnection(
                () -> client.connectAsync(StringCodec.UTF8, redisUri)
                        .thenApply(c -> new RedisConnection.Session(c.async(), c::close)),
                () -> {
                    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
                    resources.shutdown();
                }, RECONNECT_NANOS);
        return new RedisLimitStore(connection, clock, prefix);
    }

    /**
     * Standalone Redis over plain TCP ({@code redis://} URI) through connections owned by {@code vertx}'s event
     * loops: a decision asked for on an event loop is sent and answered on that loop's thread (ADR 0048). Commands
     * time out after {@code commandTimeout}; a broken Redis surfaces as a failed stage.
     */
    public static LimitStore redisOnEventLoops(io.vertx.core.Vertx vertx, String uri, Duration commandTimeout,
            InstantSource clock, String prefix) {
        return new EventLoopRedisLimitStore(vertx, uri, commandTimeout, clock, prefix);
    }

    /** Redis Cluster: all keys carry the prefix's hash tag, so every script runs on one slot's node. */
    public static LimitStore redisCluster(String uri, Duration commandTimeout, InstantSource clock, String prefix) {
        ClientResources resources = resources();
        RedisClusterClient client = RedisClusterClient.create(resources, uri);
        client.setOptions(ClusterClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .build());
        RedisConnection connection = new RedisConnection(
                () -> client.refreshPartitionsAsync().thenCompose(v -> client.connectAsync(StringCodec.UTF8))
                        .thenApply(c -> new RedisConnection.Session(c.async(), c::close)),
                () -> {
                    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
                    resources.shutdown();
                }, RECONNECT_NANOS);
        return new RedisLimitStore(connection, clock, prefix);
    }
}

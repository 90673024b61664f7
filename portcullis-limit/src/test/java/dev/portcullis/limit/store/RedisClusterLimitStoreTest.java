package dev.portcullis.limit.store;

import dev.portcullis.testkit.TestRedis;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisShardedCluster;

/** The shared suite against a real three-shard Redis Cluster: the prefix's hash tag keeps scripts legal. */
class RedisClusterLimitStoreTest extends LimitStoreContract {
    private static RedisShardedCluster cluster;
    private static String uri;

    @BeforeAll
    static void startCluster() throws IOException {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            try (ServerSocket s = new ServerSocket(0)) {
                ports.add(s.getLocalPort());
            }
        }
        cluster = RedisShardedCluster.newRedisCluster().serverPorts(ports)
                .shard("a", 0).shard("b", 0).shard("c", 0)
                .initializationTimeout(Duration.ofSeconds(30)).build();
        cluster.start();
        uri = "redis://127.0.0.1:" + ports.getFirst();
    }

    @AfterAll
    static void stopCluster() throws IOException {
        cluster.stop();
    }

    @Override
    protected LimitStore newStore(MutableClock clock) {
        return LimitStores.redisCluster(uri, Duration.ofSeconds(2), clock, TestRedis.uniquePrefix());
    }

    @Test
    void aPrefixWithoutOneHashTagIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> LimitStores.redisCluster(uri, Duration.ofSeconds(2), clock, "portcullis:limits:"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hash tag");
        assertThat(cluster.isActive()).isTrue();
    }
}

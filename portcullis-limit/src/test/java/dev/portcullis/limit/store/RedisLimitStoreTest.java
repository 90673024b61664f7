package dev.portcullis.limit.store;

import dev.portcullis.testkit.TestRedis;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class RedisLimitStoreTest extends LimitStoreContract {
    private static TestRedis redis;

    @BeforeAll
    static void startRedis() {
        redis = TestRedis.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Override
    protected LimitStore newStore(MutableClock clock) {
        return LimitStores.redis(redis.uri(), Duration.ofSeconds(2), clock, TestRedis.uniquePrefix());
    }
}

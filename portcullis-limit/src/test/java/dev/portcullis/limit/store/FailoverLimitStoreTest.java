package dev.portcullis.limit.store;

import dev.portcullis.testkit.TestRedis;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portcullis.limit.LimitDecision;
import dev.portcullis.limit.LimitEngine;
import dev.portcullis.limit.LimitRequest;
import dev.portcullis.limit.config.FailureMode;
import dev.portcullis.limit.config.Unit;
import dev.portcullis.limit.config.Yaml;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Stops and restarts a real Redis under the store. */
class FailoverLimitStoreTest {
    static final long MINUTE = 60_000_000L;
    final MutableClock clock = new MutableClock();
    TestRedis redis;
    final List<LimitStore> stores = new ArrayList<>();

    @BeforeEach
    void startRedis() {
        redis = TestRedis.start();
        org.junit.jupiter.api.Assumptions.assumeTrue(redis.owned(), "needs a Redis the test can stop");
    }

    @AfterEach
    void stopAll() {
        stores.forEach(LimitStore::close);
        redis.close();
    }

    FailoverLimitStore failover(FailureMode mode, int instances, String prefix) {
        LimitStore shared = LimitStores.redis(redis.uri(), Duration.ofMillis(500), clock, prefix);
        FailoverLimitStore f = new FailoverLimitStore(shared, LimitStores.memory(clock, 1000, 1000), mode, instances,
                Duration.ofMillis(50));
        stores.add(f);
        return f;
    }

    static AcquireRequest request(Meter m) {
        return new AcquireRequest(List.of(new Charge("k", m, Unit.REQUESTS, 1)), Keys.newReservationId(), MINUTE);
    }

    static boolean admitted(LimitStore s, Meter m) {
        return s.acquire(request(m)).toCompletableFuture().join().admitted();
    }

    @Test
    void switchesToDividedLocalLimitsWhenRedisStopsAndBackWhenItReturns() {
        FailoverLimitStore store = failover(FailureMode.FAIL_OPEN_LOCAL, 2, TestRedis.uniquePrefix());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        store.bindTo(registry);
        Meter m = new Meter.SlidingWindow(10, MINUTE);
        for (int i = 0; i < 3; i++) {
            assertThat(admitted(store, m)).isTrue();
        }
        redis.pause();
        int local = 0;
        for (int i = 0; i < 8; i++) {
            local += admitted(store, m) ? 1 : 0;
        }
        assertThat(local).isEqualTo(5);
        assertThat(store.health()).isEqualTo(StoreHealth.DEGRADED);
        assertThat(registry.get("portcullis.limit.store.degraded").gauge().value()).isEqualTo(1.0);
        assertThat(store.switches()).isEqualTo(1);

        redis.resume();
        await().atMost(Duration.ofSeconds(10)).until(() -> store.health() == StoreHealth.SHARED);
        assertThat(registry.get("portcullis.limit.store.degraded").gauge().value()).isZero();
        assertThat(admitted(store, m)).as("the restarted Redis has room the local limit did not").isTrue();
    }

    @Test
    void aConfigurationWithRedisGetsRedisBehindItsFailureMode() {
        var config = Yaml.config("""
                failure-mode: fail-closed
                instances: 4
                plans: { free: {} }
                """);
        LimitStore store = LimitStores.forConfig(config, redis.uri(), "portcullis:", Duration.ofSeconds(1), clock, 100,
                null);
        stores.add(store);
        assertThat(store).isInstanceOf(FailoverLimitStore.class);
        assertThat(admitted(store, new Meter.SlidingWindow(1, MINUTE))).isTrue();
        assertThat(((FailoverLimitStore) store).health()).isEqualTo(StoreHealth.SHARED);
        redis.pause();
        assertThat(store.acquire(request(new Meter.SlidingWindow(1, MINUTE))).toCompletableFuture())
                .failsWithin(Duration.ofSeconds(5)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(FailoverLimitStore.SharedStoreUnavailableException.class);
        LimitStore memory = LimitStores.forConfig(config, null, "portcullis:", Duration.ofSeconds(1), clock, 100, null);
        stores.add(memory);
        assertThat(memory).isNotInstanceOf(FailoverLimitStore.class);
    }

    @Test
    void startsOnTheFallbackWhenRedisIsDownAtStartAndConnectsWhenItComesUp() {
        redis.pause();
        FailoverLimitStore store = failover(FailureMode.FAIL_OPEN_LOCAL, 1, TestRedis.uniquePrefix());
        Meter m = new Meter.SlidingWindow(1, MINUTE);
        assertThat(admitted(store, m)).isTrue();
        assertThat(admitted(store, m)).isFalse();
        assertThat(store.health()).isEqualTo(StoreHealth.DEGRADED);
        redis.resume();
        await().atMost(Duration.ofSeconds(10)).until(() -> store.health() == StoreHealth.SHARED);
        assertThat(admitted(store, m)).isTrue();
        assertThat(admitted(store, m)).isFalse();
    }

    @Test
    void failClosedRefusesWhileRedisIsDownAndRecovers() {
        FailoverLimitStore store = failover(FailureMode.FAIL_CLOSED, 1, TestRedis.uniquePrefix());
        LimitEngine engine = new LimitEngine(store, clock, Yaml.config("""
                plans:
                  free:
                    limits:
                      - { name: per-ip, per: [ip], unit: requests, algorithm: token_bucket, limit: 100, period: 1m }
                """));
        LimitRequest r = LimitRequest.builder().ip("192.0.2.7").build();
        assertThat(engine.acquire(r).toCompletableFuture().join()).isInstanceOf(LimitDecision.Admitted.class);
        redis.pause();
        LimitDecision.Refused refused = (LimitDecision.Refused) engine.acquire(r).toCompletableFuture().join();
        assertThat(refused.reason()).isEqualTo(LimitDecision.Reason.STORE_UNAVAILABLE);
        assertThat(refused.httpStatus()).isEqualTo(503);
        assertThat(refused.headers()).containsEntry("Retry-After", "1");
        redis.resume();
        await().atMost(Duration.ofSeconds(10)).until(() -> store.health() == StoreHealth.SHARED);
        assertThat(engine.acquire(r).toCompletableFuture().join()).isInstanceOf(LimitDecision.Admitted.class);
    }

    /**
     * Two instances share one Redis; Redis stops in the middle of a load run. Every call still completes
     * with a decision (no error reaches the caller), and admissions stay within the documented bound:
     * the shared limit plus each instance's divided local limit.
     */
    @Test
    void redisStoppedMidLoadNeverErrorsAndOverAdmitsWithinTheFallbackBound() throws Exception {
        String prefix = TestRedis.uniquePrefix();
        int instances = 2;
        long limit = 100;
        List<FailoverLimitStore> gateways = List.of(failover(FailureMode.FAIL_OPEN_LOCAL, instances, prefix),
                failover(FailureMode.FAIL_OPEN_LOCAL, instances, prefix));
        Meter m = new Meter.SlidingWindow(limit, MINUTE);
        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                for (int i = 0; i < 50; i++) {
                    LimitStore g = gateways.get((thread + i) % 2);
                    if (calls.incrementAndGet() == 150) {
                        redis.pause();
                    }
                    try {
                        if (admitted(g, m)) {
                            admitted.incrementAndGet();
                        }
                    } catch (CompletionException e) {
                        throw new AssertionError("a decision failed instead of falling back", e);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(calls.get()).isEqualTo(400);
        assertThat(gateways).allSatisfy(g -> assertThat(g.health()).isEqualTo(StoreHealth.DEGRADED));
        assertThat(admitted.get()).isGreaterThanOrEqualTo((int) limit).isLessThanOrEqualTo((int) (limit + instances * (limit / instances)));
    }
}

package dev.portcullis.limit.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.limit.config.Unit;
import dev.portcullis.testkit.TestRedis;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shared store contract on event-loop-owned connections, and what sets them apart. */
class EventLoopRedisLimitStoreTest extends LimitStoreContract {
    private static TestRedis redis;
    private static Vertx vertx;

    @BeforeAll
    static void startRedis() {
        redis = TestRedis.start();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopRedis() {
        vertx.close().await();
        redis.close();
    }

    @Override
    protected LimitStore newStore(MutableClock clock) {
        return LimitStores.redisOnEventLoops(vertx, redis.uri(), Duration.ofSeconds(2), clock,
                TestRedis.uniquePrefix());
    }

    /** Decisions asked for on event loops, 200 per loop at once: exact, and each answered on the asking thread. */
    @Test
    void decisionsAskedOnAnEventLoopAreAnsweredOnItsThreadAndStayExact() throws Exception {
        Meter meter = new Meter.SlidingWindow(300, MINUTE);
        List<CompletableFuture<Boolean>> all = new ArrayList<>();
        List<CompletableFuture<Boolean>> sameThread = new ArrayList<>();
        for (int loop = 0; loop < 2; loop++) {
            var context = vertx.getOrCreateContext();
            CompletableFuture<Void> sent = new CompletableFuture<>();
            context.runOnContext(v -> {
                Thread asking = Thread.currentThread();
                for (int i = 0; i < 200; i++) {
                    CompletableFuture<Boolean> admitted = new CompletableFuture<>();
                    CompletableFuture<Boolean> onThread = new CompletableFuture<>();
                    store.acquire(new AcquireRequest(List.of(new Charge("shared", meter, Unit.REQUESTS, 1)),
                            Keys.newReservationId(), MINUTE)).whenComplete((r, e) -> {
                                onThread.complete(Thread.currentThread() == asking);
                                if (e != null) {
                                    admitted.completeExceptionally(e);
                                } else {
                                    admitted.complete(r.admitted());
                                }
                            });
                    all.add(admitted);
                    sameThread.add(onThread);
                }
                sent.complete(null);
            });
            sent.get(5, TimeUnit.SECONDS);
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(all.stream().filter(CompletableFuture::join).count()).isEqualTo(300);
        assertThat(sameThread).allSatisfy(f -> assertThat(f.join()).isTrue());
    }

    /** A server that accepts connections and never answers: every call still ends within the command timeout. */
    @Test
    void aSilentRedisFailsEachCallWithinTheTimeoutThenAtOnceUntilTheNextAttempt() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
                LimitStore s = LimitStores.redisOnEventLoops(vertx, "redis://127.0.0.1:" + silent.getLocalPort(),
                        Duration.ofMillis(300), clock, TestRedis.uniquePrefix())) {
            AcquireRequest request = new AcquireRequest(List.of(new Charge("silent", new Meter.SlidingWindow(10,
                    MINUTE), Unit.REQUESTS, 1)), Keys.newReservationId(), MINUTE);
            // the first call waits for the connection attempt, which the command timeout ends
            assertThat(s.acquire(request).toCompletableFuture()).failsWithin(Duration.ofSeconds(3))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withCauseInstanceOf(java.util.concurrent.TimeoutException.class);
            // the next one, within a second of that failed attempt, does not wait: it is refused at once
            assertThat(s.acquire(request).toCompletableFuture()).failsWithin(Duration.ofSeconds(3))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withCauseInstanceOf(IllegalStateException.class)
                    .withMessageContaining("not connected to Redis");
        }
    }

    @Test
    void aScriptCacheFlushedByRedisIsLoadedAgain() {
        Meter meter = new Meter.SlidingWindow(10, MINUTE);
        assertThat(acquire(requests("flush", meter)).admitted()).isTrue();
        io.lettuce.core.RedisClient lettuce = io.lettuce.core.RedisClient.create(redis.uri());
        try (var c = lettuce.connect()) {
            c.sync().scriptFlush();
        } finally {
            lettuce.shutdown();
        }
        assertThat(acquire(requests("flush", meter)).admitted()).isTrue();
        assertThat(acquire(requests("flush", meter)).states().get(0).remaining()).isEqualTo(7);
    }

    @Test
    void failsFastWhileRedisIsDownAndConnectsAgainWhenItIsBack() {
        Assumptions.assumeTrue(redis.owned(), "needs a Redis the test can stop");
        Meter meter = new Meter.SlidingWindow(1000, MINUTE);
        AcquireRequest request = new AcquireRequest(List.of(new Charge("outage", meter, Unit.REQUESTS, 1)),
                Keys.newReservationId(), MINUTE);
        assertThat(store.acquire(request).toCompletableFuture().join().admitted()).isTrue();
        redis.pause();
        try {
            assertThat(store.acquire(request).toCompletableFuture()).failsWithin(Duration.ofSeconds(5));
        } finally {
            redis.resume();
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
            try {
                return store.acquire(new AcquireRequest(List.of(new Charge("outage", meter, Unit.REQUESTS, 1)),
                        Keys.newReservationId(), MINUTE)).toCompletableFuture().get(3, TimeUnit.SECONDS).admitted();
            } catch (Exception e) {
                return false;
            }
        });
    }
}

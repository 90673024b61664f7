package dev.portcullis.limit.store;

import dev.portcullis.testkit.TestRedis;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.limit.config.Unit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * For random arrival sequences under a fake clock, no meter admits more than its bound in any window.
 * The same sequences run against the Redis script must give the same decisions as the memory store.
 */
class MeterPropertiesTest {
    static final long SECOND = 1_000_000L;
    static TestRedis redis;

    @BeforeContainer
    static void startRedis() {
        redis = TestRedis.start();
    }

    @AfterContainer
    static void stopRedis() {
        redis.close();
    }

    /** One arrival: wait {@code gapMicros}, ask for {@code cost}; if admitted, settle at {@code actualShare}%. */
    record Arrival(long gapMicros, long cost, int actualShare) {}

    @Provide
    Arbitrary<List<Arrival>> arrivals() {
        Arbitrary<Long> gaps = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, Arbitraries.longs().between(0, 2 * SECOND)),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(0, 90 * SECOND)));
        Arbitrary<Arrival> one = Combinators.combine(gaps, Arbitraries.longs().between(1, 30),
                Arbitraries.integers().between(0, 100)).as(Arrival::new);
        return one.list().ofMinSize(1).ofMaxSize(150);
    }

    record Admitted(long at, long cost) {}

    static List<Admitted> run(LimitStore store, MutableClock clock, Meter meter, List<Arrival> arrivals, boolean settle) {
        List<Admitted> admitted = new ArrayList<>();
        for (Arrival a : arrivals) {
            clock.advanceMicros(a.gapMicros());
            String rid = Keys.newReservationId();
            AcquireResult r = store.acquire(new AcquireRequest(
                    List.of(new Charge("p", meter, Unit.TOKENS, a.cost())), rid, 3600 * SECOND))
                    .toCompletableFuture().join();
            if (r.admitted()) {
                long actual = a.cost();
                if (settle) {
                    actual = a.cost() * a.actualShare() / 100;
                    assertThat(store.settle(rid, actual, 0).toCompletableFuture().join()).isTrue();
                }
                admitted.add(new Admitted(clock.micros(), actual));
            } else {
                assertThat(r.retryAfterMicros()).isPositive();
            }
        }
        return admitted;
    }

    @Property(tries = 200)
    void slidingWindowNeverAdmitsMoreThanItsLimitInAnyWindow(@ForAll("arrivals") List<Arrival> arrivals,
            @ForAll boolean settle) {
        long limit = 60;
        long window = 10 * SECOND;
        MutableClock clock = new MutableClock();
        List<Admitted> admitted = run(LimitStores.memory(clock, 100, 100), clock,
                new Meter.SlidingWindow(limit, window), arrivals, settle);
        for (Admitted start : admitted) {
            long sum = admitted.stream().filter(a -> a.at() >= start.at() && a.at() < start.at() + window)
                    .mapToLong(Admitted::cost).sum();
            assertThat(sum).isLessThanOrEqualTo(limit);
        }
    }

    @Property(tries = 200)
    void tokenBucketNeverAdmitsMoreThanBurstPlusRateTimesElapsed(@ForAll("arrivals") List<Arrival> arrivals,
            @ForAll boolean settle) {
        long limit = 60;
        long period = 10 * SECOND;
        long burst = 40;
        MutableClock clock = new MutableClock();
        List<Admitted> admitted = run(LimitStores.memory(clock, 100, 100), clock,
                new Meter.TokenBucket(limit, period, burst), arrivals, settle);
        for (int i = 0; i < admitted.size(); i++) {
            long sum = 0;
            for (int j = i; j < admitted.size(); j++) {
                sum += admitted.get(j).cost();
                double elapsed = admitted.get(j).at() - admitted.get(i).at();
                assertThat((double) sum).isLessThanOrEqualTo(burst + elapsed * limit / period);
            }
        }
    }

    @Property(tries = 100)
    void concurrencyNeverHoldsMoreThanItsLimit(@ForAll("arrivals") List<Arrival> arrivals) {
        MutableClock clock = new MutableClock();
        LimitStore store = LimitStores.memory(clock, 100, 1000);
        Meter meter = new Meter.Concurrency(5, 30 * SECOND);
        List<String> held = new ArrayList<>();
        List<Long> heldUntil = new ArrayList<>();
        for (Arrival a : arrivals) {
            clock.advanceMicros(a.gapMicros() / 10);
            for (int i = held.size() - 1; i >= 0; i--) {
                if (heldUntil.get(i) <= clock.micros()) {
                    held.remove(i);
                    heldUntil.remove(i);
                }
            }
            if (a.actualShare() < 30 && !held.isEmpty()) {
                assertThat(store.release(held.removeFirst()).toCompletableFuture().join()).isTrue();
                heldUntil.removeFirst();
            }
            String rid = Keys.newReservationId();
            AcquireResult r = store.acquire(new AcquireRequest(
                    List.of(new Charge("c", meter, Unit.CONCURRENCY, 1)), rid, 60 * SECOND)).toCompletableFuture().join();
            if (r.admitted()) {
                held.add(rid);
                heldUntil.add(clock.micros() + 30 * SECOND);
            }
            assertThat(held).hasSizeLessThanOrEqualTo(5);
            assertThat(r.admitted()).isEqualTo(held.size() <= 5 && held.contains(rid));
        }
    }

    @Property(tries = 25)
    void redisDecidesExactlyAsTheMemoryStore(@ForAll("arrivals") List<Arrival> arrivals, @ForAll boolean bucket,
            @ForAll boolean settle) {
        Meter meter = bucket ? new Meter.TokenBucket(60, 10 * SECOND, 40) : new Meter.SlidingWindow(60, 10 * SECOND);
        MutableClock memClock = new MutableClock();
        MutableClock redisClock = new MutableClock();
        List<Admitted> inMemory = run(LimitStores.memory(memClock, 100, 100), memClock, meter, arrivals, settle);
        try (LimitStore store = LimitStores.redis(redis.uri(), Duration.ofSeconds(2), redisClock,
                TestRedis.uniquePrefix())) {
            assertThat(run(store, redisClock, meter, arrivals, settle)).isEqualTo(inMemory);
        }
    }
}

package dev.portcullis.limit.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.limit.config.Unit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The behaviour every {@link LimitStore} backend must show, driven by a fake clock. */
public abstract class LimitStoreContract {
    static final long SECOND = 1_000_000L;
    static final long MINUTE = 60 * SECOND;

    protected MutableClock clock;
    protected LimitStore store;

    /** A fresh, empty store reading time from {@code clock}. */
    protected abstract LimitStore newStore(MutableClock clock);

    @BeforeEach
    void open() {
        clock = new MutableClock();
        store = newStore(clock);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    AcquireResult acquire(String rid, Charge... charges) {
        return store.acquire(new AcquireRequest(List.of(charges), rid, MINUTE)).toCompletableFuture().join();
    }

    AcquireResult acquire(Charge... charges) {
        return acquire(Keys.newReservationId(), charges);
    }

    boolean settle(String rid, long tokens, long spend) {
        return store.settle(rid, tokens, spend).toCompletableFuture().join();
    }

    static Charge requests(String key, Meter meter) {
        return new Charge(key, meter, Unit.REQUESTS, 1);
    }

    static Charge tokens(String key, Meter meter, long n) {
        return new Charge(key, meter, Unit.TOKENS, n);
    }

    static Charge lease(String key, long limit) {
        return new Charge(key, new Meter.Concurrency(limit, MINUTE), Unit.CONCURRENCY, 1);
    }

    @Test
    void tokenBucketAdmitsBurstThenRefusesWithRetryAfter() {
        Meter m = new Meter.TokenBucket(10, MINUTE, 10);
        for (int i = 0; i < 10; i++) {
            AcquireResult r = acquire(requests("ip:a", m));
            assertThat(r.admitted()).isTrue();
            assertThat(r.states().getFirst().remaining()).isEqualTo(9 - i);
        }
        AcquireResult refused = acquire(requests("ip:a", m));
        assertThat(refused.admitted()).isFalse();
        assertThat(refused.refusedIndex()).isZero();
        assertThat(refused.retryAfterMicros()).isEqualTo(6 * SECOND);
        assertThat(refused.states().getFirst().remaining()).isZero();
    }

    @Test
    void tokenBucketRefillsAtItsRate() {
        Meter m = new Meter.TokenBucket(10, MINUTE, 10);
        for (int i = 0; i < 10; i++) {
            acquire(requests("k", m));
        }
        clock.advance(Duration.ofSeconds(6));
        assertThat(acquire(requests("k", m)).admitted()).isTrue();
        assertThat(acquire(requests("k", m)).admitted()).isFalse();
        clock.advance(Duration.ofMinutes(1));
        assertThat(acquire(requests("k", m)).states().getFirst().remaining()).isEqualTo(9);
    }

    @Test
    void slidingWindowFreesCapacityOnlyWhenOldEntriesLeaveTheWindow() {
        Meter m = new Meter.SlidingWindow(3, MINUTE);
        acquire(requests("w", m));
        clock.advance(Duration.ofSeconds(20));
        acquire(requests("w", m));
        acquire(requests("w", m));
        AcquireResult refused = acquire(requests("w", m));
        assertThat(refused.admitted()).isFalse();
        assertThat(refused.retryAfterMicros()).isEqualTo(40 * SECOND);
        clock.advance(Duration.ofSeconds(40).minusNanos(1_000));
        assertThat(acquire(requests("w", m)).admitted()).isFalse();
        clock.advanceMicros(1);
        AcquireResult admitted = acquire(requests("w", m));
        assertThat(admitted.admitted()).isTrue();
        assertThat(admitted.states().getFirst().remaining()).isZero();
    }

    @Test
    void slidingWindowCountsTokensByCost() {
        Meter m = new Meter.SlidingWindow(1000, MINUTE);
        assertThat(acquire(tokens("t", m, 600)).admitted()).isTrue();
        AcquireResult refused = acquire(tokens("t", m, 500));
        assertThat(refused.admitted()).isFalse();
        assertThat(refused.states().getFirst().remaining()).isEqualTo(400);
        assertThat(acquire(tokens("t", m, 400)).admitted()).isTrue();
    }

    @Test
    void refusedDecisionChargesNoRuleAtAll() {
        Meter wide = new Meter.TokenBucket(100, MINUTE, 100);
        Meter narrow = new Meter.TokenBucket(1, MINUTE, 1);
        assertThat(acquire(requests("tenant", wide), requests("key", narrow)).admitted()).isTrue();
        for (int i = 0; i < 5; i++) {
            AcquireResult r = acquire(requests("tenant", wide), requests("key", narrow));
            assertThat(r.admitted()).isFalse();
            assertThat(r.refusedIndex()).isEqualTo(1);
        }
        AcquireResult peek = acquire(requests("tenant", wide).peek());
        assertThat(peek.states().getFirst().remaining()).isEqualTo(99);
    }

    @Test
    void refusalNamesTheChargeThatBindsLongest() {
        Meter shortWait = new Meter.TokenBucket(60, MINUTE, 1);
        Meter longWait = new Meter.TokenBucket(1, MINUTE, 1);
        acquire(requests("a", shortWait), requests("b", longWait));
        AcquireResult r = acquire(requests("a", shortWait), requests("b", longWait));
        assertThat(r.admitted()).isFalse();
        assertThat(r.refusedIndex()).isEqualTo(1);
        assertThat(r.retryAfterMicros()).isEqualTo(MINUTE);
    }

    @Test
    void concurrencyLeaseIsFreedBySettle() {
        String first = Keys.newReservationId();
        assertThat(acquire(first, lease("streams", 1)).admitted()).isTrue();
        assertThat(acquire(lease("streams", 1)).admitted()).isFalse();
        assertThat(settle(first, 0, 0)).isTrue();
        assertThat(acquire(lease("streams", 1)).admitted()).isTrue();
    }

    @Test
    void abandonedLeaseExpires() {
        assertThat(acquire(lease("streams", 1)).admitted()).isTrue();
        clock.advance(Duration.ofSeconds(59));
        assertThat(acquire(lease("streams", 1)).admitted()).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(acquire(lease("streams", 1)).admitted()).isTrue();
    }

    @Test
    void settleRefundsUnusedTokensOnABucket() {
        Meter m = new Meter.TokenBucket(1000, MINUTE, 1000);
        String rid = Keys.newReservationId();
        acquire(rid, tokens("tok", m, 800));
        assertThat(acquire(tokens("tok", m, 300)).admitted()).isFalse();
        assertThat(settle(rid, 100, 0)).isTrue();
        AcquireResult r = acquire(tokens("tok", m, 300));
        assertThat(r.admitted()).isTrue();
        assertThat(r.states().getFirst().remaining()).isEqualTo(600);
    }

    @Test
    void settleRefundsUnusedTokensInAWindow() {
        Meter m = new Meter.SlidingWindow(1000, MINUTE);
        String rid = Keys.newReservationId();
        acquire(rid, tokens("tok", m, 800));
        assertThat(settle(rid, 100, 0)).isTrue();
        AcquireResult r = acquire(tokens("tok", m, 900));
        assertThat(r.admitted()).isTrue();
        assertThat(r.states().getFirst().remaining()).isZero();
    }

    @Test
    void settleBeyondTheReservationCarriesDebt() {
        Meter m = new Meter.SlidingWindow(1000, MINUTE);
        String rid = Keys.newReservationId();
        acquire(rid, tokens("tok", m, 100));
        assertThat(settle(rid, 1500, 0)).isTrue();
        AcquireResult r = acquire(tokens("tok", m, 1));
        assertThat(r.admitted()).isFalse();
        assertThat(r.states().getFirst().remaining()).isZero();
        clock.advance(Duration.ofMinutes(1));
        assertThat(acquire(tokens("tok", m, 1)).admitted()).isTrue();
    }

    @Test
    void hugeDebtsStayExactInEveryBackend() {
        Meter m = new Meter.SlidingWindow(1_000_000_000_000L, MINUTE);
        String rid = Keys.newReservationId();
        acquire(rid, tokens("big", m, 999_999_999_999L));
        assertThat(settle(rid, 123_456_789_012_345L, 0)).isTrue();
        AcquireResult r = acquire(tokens("big", m, 1));
        assertThat(r.admitted()).isFalse();
        clock.advance(Duration.ofMinutes(1));
        assertThat(acquire(tokens("big", m, 1)).states().getFirst().remaining()).isEqualTo(999_999_999_999L);
    }

    @Test
    void aReservationEndsInExactlyOneOutcome() {
        String rid = Keys.newReservationId();
        acquire(rid, tokens("tok", new Meter.TokenBucket(100, MINUTE, 100), 50), lease("c", 5));
        assertThat(settle(rid, 10, 0)).isTrue();
        assertThat(settle(rid, 10, 0)).isFalse();
        assertThat(store.release(rid).toCompletableFuture().join()).isFalse();
    }

    @Test
    void expiredReservationCannotBeSettledAndKeepsItsCharge() {
        Meter m = new Meter.Calendar(1000, clock.micros() + 24 * 60 * MINUTE, 0);
        String rid = Keys.newReservationId();
        acquire(rid, tokens("day", m, 700));
        clock.advance(Duration.ofMinutes(1));
        assertThat(settle(rid, 0, 0)).isFalse();
        assertThat(acquire(tokens("day", m, 0)).states().getFirst().remaining()).isEqualTo(300);
    }

    @Test
    void releaseRefundsTokensAndSpendButKeepsTheRequestCounted() {
        Meter reqs = new Meter.SlidingWindow(10, MINUTE);
        Meter toks = new Meter.SlidingWindow(1000, MINUTE);
        Meter spend = new Meter.Calendar(5_000_000, clock.micros() + 60 * MINUTE, 0);
        String rid = Keys.newReservationId();
        acquire(rid, requests("r", reqs), tokens("t", toks, 500), new Charge("s", spend, Unit.SPEND, 2_000_000));
        assertThat(store.release(rid).toCompletableFuture().join()).isTrue();
        AcquireResult after = acquire(requests("r", reqs).peek(), tokens("t", toks, 0),
                new Charge("s", spend, Unit.SPEND, 0));
        assertThat(after.states()).extracting(MeterState::remaining).containsExactly(9L, 1000L, 5_000_000L);
    }

    @Test
    void calendarBudgetRefusesUntilThePeriodEnds() {
        long end = clock.micros() + 10 * MINUTE;
        Meter m = new Meter.Calendar(100, end, 0);
        assertThat(acquire(tokens("budget", m, 100)).admitted()).isTrue();
        AcquireResult r = acquire(tokens("budget", m, 1));
        assertThat(r.admitted()).isFalse();
        assertThat(r.retryAfterMicros()).isEqualTo(10 * MINUTE);
        assertThat(r.states().getFirst().resetMicros()).isEqualTo(10 * MINUTE);
    }

    @Test
    void calendarCounterStartsFromItsSeedOnlyWhileItDoesNotExist() {
        long end = clock.micros() + 10 * MINUTE;
        Meter seeded = new Meter.Calendar(100, end, 90);
        assertThat(acquire(tokens("seeded", seeded, 0)).states().getFirst().remaining()).isEqualTo(10);
        assertThat(acquire(tokens("seeded", seeded, 11)).admitted()).isFalse();
        assertThat(acquire(tokens("seeded", seeded, 6)).states().getFirst().remaining()).isEqualTo(4);
        // the counter exists now: a later, different seed changes nothing
        Meter reseeded = new Meter.Calendar(100, end, 0);
        assertThat(acquire(tokens("seeded", reseeded, 0)).states().getFirst().remaining()).isEqualTo(4);
        assertThat(acquire(tokens("seeded", reseeded, 5)).admitted()).isFalse();
        // a seed beyond the limit refuses everything until the period ends
        AcquireResult over = acquire(tokens("spent", new Meter.Calendar(100, end, 150), 1));
        assertThat(over.admitted()).isFalse();
        assertThat(over.states().getFirst().remaining()).isZero();
    }

    @Test
    void peekReadsWithoutCharging() {
        Meter m = new Meter.TokenBucket(5, MINUTE, 5);
        for (int i = 0; i < 3; i++) {
            assertThat(acquire(requests("p", m).peek()).states().getFirst().remaining()).isEqualTo(5);
        }
    }

    @Test
    void concurrentCallersNeverOverAdmit() throws Exception {
        Meter m = new Meter.SlidingWindow(50, MINUTE);
        int callers = 200;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            results.add(pool.submit(() -> {
                start.await();
                return acquire(requests("hot", m), lease("hot-c", 1000)).admitted();
            }));
        }
        start.countDown();
        int admitted = 0;
        for (Future<Boolean> f : results) {
            admitted += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
        }
        pool.shutdown();
        assertThat(admitted).isEqualTo(50);
    }
}

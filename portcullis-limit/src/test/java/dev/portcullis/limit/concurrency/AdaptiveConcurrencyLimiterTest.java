package dev.portcullis.limit.concurrency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.netflix.concurrency.limits.limit.AIMDLimit;
import com.netflix.concurrency.limits.limit.FixedLimit;
import dev.portcullis.limit.concurrency.Admission.Granted;
import dev.portcullis.limit.concurrency.Admission.Shed;
import dev.portcullis.limit.config.PriorityClass;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AdaptiveConcurrencyLimiterTest {
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    AdaptiveConcurrencyLimiter fixed(int limit, int maxWaiting, Duration maxWait) {
        return AdaptiveConcurrencyLimiter.builder(scheduler).limit(FixedLimit.of(limit)).maxWaiting(maxWaiting)
                .maxWait(maxWait).shares(0.5, 0.8).build();
    }

    static Admission now(AdaptiveConcurrencyLimiter l, PriorityClass p) {
        CompletableFuture<Admission> f = l.acquire(p).toCompletableFuture();
        assertThat(f).as("decided without waiting").isDone();
        return f.join();
    }

    @Test
    void lowPriorityIsShedFirstAndCriticalIsNeverRefused() {
        AdaptiveConcurrencyLimiter l = fixed(10, 0, Duration.ofMillis(100));
        List<Admission> low = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            low.add(now(l, PriorityClass.LOW));
        }
        assertThat(low).filteredOn(a -> a instanceof Granted).hasSize(5);
        assertThat(now(l, PriorityClass.NORMAL)).isInstanceOf(Granted.class);
        assertThat(now(l, PriorityClass.NORMAL)).isInstanceOf(Granted.class);
        assertThat(now(l, PriorityClass.NORMAL)).isInstanceOf(Granted.class);
        assertThat(now(l, PriorityClass.NORMAL)).isInstanceOf(Shed.class);
        assertThat(now(l, PriorityClass.HIGH)).isInstanceOf(Granted.class);
        assertThat(now(l, PriorityClass.HIGH)).isInstanceOf(Granted.class);
        assertThat(now(l, PriorityClass.HIGH)).isInstanceOf(Shed.class);
        for (int i = 0; i < 20; i++) {
            assertThat(now(l, PriorityClass.CRITICAL)).isInstanceOf(Granted.class);
        }
        assertThat(l.shed(PriorityClass.LOW)).isEqualTo(1);
        assertThat(l.shed(PriorityClass.CRITICAL)).isZero();
        var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        l.bindTo(registry, "openai");
        assertThat(registry.get("portcullis.upstream.shed").tag("priority", "low").functionCounter().count())
                .isEqualTo(1.0);
        assertThat(registry.get("portcullis.upstream.concurrency.inflight").gauge().value()).isEqualTo(30.0);
    }

    @Test
    void waitersAreServedByPriorityWhenASlotFrees() {
        AdaptiveConcurrencyLimiter l = AdaptiveConcurrencyLimiter.builder(scheduler).limit(FixedLimit.of(2))
                .maxWaiting(10).maxWait(Duration.ofSeconds(30)).shares(1, 1).build();
        Granted a = (Granted) now(l, PriorityClass.HIGH);
        Granted b = (Granted) now(l, PriorityClass.HIGH);
        CompletableFuture<Admission> low = l.acquire(PriorityClass.LOW).toCompletableFuture();
        CompletableFuture<Admission> high = l.acquire(PriorityClass.HIGH).toCompletableFuture();
        assertThat(l.waiting()).isEqualTo(2);
        assertThat(a.permit().success()).isTrue();
        assertThat(high).isCompletedWithValueMatching(x -> x instanceof Granted);
        assertThat(low).isNotDone();
        assertThat(b.permit().success()).isTrue();
        assertThat(low).isCompletedWithValueMatching(x -> x instanceof Granted);
    }

    @Test
    void waitingIsBoundedInNumberAndDisplacesLowerPriorityFirst() {
        AdaptiveConcurrencyLimiter l = fixed(1, 2, Duration.ofSeconds(30));
        now(l, PriorityClass.HIGH);
        CompletableFuture<Admission> low = l.acquire(PriorityClass.LOW).toCompletableFuture();
        CompletableFuture<Admission> normal = l.acquire(PriorityClass.NORMAL).toCompletableFuture();
        CompletableFuture<Admission> high = l.acquire(PriorityClass.HIGH).toCompletableFuture();
        assertThat(low).isCompletedWithValue(new Shed(Admission.Why.DISPLACED));
        assertThat(l.waiting()).isEqualTo(2);
        assertThat(l.acquire(PriorityClass.LOW).toCompletableFuture()).isCompletedWithValue(new Shed(Admission.Why.QUEUE_FULL));
        assertThat(normal).isNotDone();
        assertThat(high).isNotDone();
    }

    @Test
    void waitingIsBoundedInTime() {
        AdaptiveConcurrencyLimiter l = fixed(1, 5, Duration.ofMillis(50));
        now(l, PriorityClass.HIGH);
        CompletableFuture<Admission> waiter = l.acquire(PriorityClass.HIGH).toCompletableFuture();
        await().atMost(Duration.ofSeconds(5)).until(waiter::isDone);
        assertThat(waiter.join()).isEqualTo(new Shed(Admission.Why.TIMEOUT));
        assertThat(l.waiting()).isZero();
    }

    @Test
    void aPermitEndsInExactlyOneOutcome() {
        AdaptiveConcurrencyLimiter l = fixed(1, 0, Duration.ofMillis(50));
        Granted g = (Granted) now(l, PriorityClass.HIGH);
        assertThat(g.permit().ignore()).isTrue();
        assertThat(g.permit().success()).isFalse();
        assertThat(g.permit().dropped()).isFalse();
        assertThat(l.inflight()).isZero();
        assertThat(now(l, PriorityClass.HIGH)).isInstanceOf(Granted.class);
    }

    @Test
    void dropsShrinkTheAdaptiveLimit() {
        AtomicLong nanos = new AtomicLong();
        AdaptiveConcurrencyLimiter l = AdaptiveConcurrencyLimiter.builder(scheduler)
                .limit(AIMDLimit.newBuilder().initialLimit(20).minLimit(2).maxLimit(50).backoffRatio(0.5)
                        .timeout(1, TimeUnit.SECONDS).build())
                .nanoClock(nanos::get).maxWaiting(0).build();
        Granted g = (Granted) now(l, PriorityClass.HIGH);
        nanos.addAndGet(1_000_000);
        g.permit().dropped();
        assertThat(l.limit()).isEqualTo(10);
    }
}

package dev.portcullis.limit.store;

import dev.portcullis.limit.config.FailureMode;
import dev.portcullis.limit.config.Unit;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared store, with a fallback that switches itself. The first failed shared call marks the store
 * DEGRADED (logged, counted); that call and every later one is then answered by the fallback: in
 * FAIL_OPEN_LOCAL by an in-process store whose limits are the shared limits divided by the configured
 * instance count, in FAIL_CLOSED by a failed stage (the engine refuses with 503). A probe every
 * {@code probeInterval} switches back when the shared store answers again. Never unlimited.
 *
 * <p>Over-admission bound in FAIL_OPEN_LOCAL: during the window in which the switch happens, at most the
 * shared limit (counted before) plus {@code instances * floor(limit / instances)} (counted locally), i.e.
 * at most twice the limit; after one full window, at most the limit (if the instance count is right).
 */
public final class FailoverLimitStore implements LimitStore {
    private static final Logger LOG = LoggerFactory.getLogger(FailoverLimitStore.class);
    private static final Charge PROBE = new Charge("health", new Meter.SlidingWindow(1, 1_000_000), Unit.REQUESTS, 0);

    private final LimitStore shared;
    private final LimitStore local;
    private final FailureMode mode;
    private final int instances;
    private final AtomicReference<StoreHealth> health = new AtomicReference<>(StoreHealth.SHARED);
    private final LongAdder switches = new LongAdder();
    private final LongAdder fallbackDecisions = new LongAdder();
    private final LongAdder sharedFailures = new LongAdder();
    private final AtomicBoolean probing = new AtomicBoolean();
    private final ScheduledExecutorService prober;

    /**
     * @param shared        the shared store (Redis)
     * @param local         an in-process store used only while the shared one fails
     * @param instances     how many gateway instances share the limits (divides them locally)
     * @param probeInterval how often to test the shared store while degraded
     */
    public FailoverLimitStore(LimitStore shared, LimitStore local, FailureMode mode, int instances,
            Duration probeInterval) {
        this.shared = Objects.requireNonNull(shared, "shared");
        this.local = Objects.requireNonNull(local, "local");
        this.mode = Objects.requireNonNull(mode, "mode");
        if (instances < 1) {
            throw new IllegalArgumentException("instances must be at least 1");
        }
        this.instances = instances;
        this.prober = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "portcullis-limit-probe");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, probeInterval.toMillis());
        prober.scheduleWithFixedDelay(this::probe, every, every, TimeUnit.MILLISECONDS);
    }

    public StoreHealth health() {
        return health.get();
    }

    /** Times the store switched from shared to degraded. */
    public long switches() {
        return switches.sum();
    }

    /** Decisions made (or refused) without the shared store. */
    public long fallbackDecisions() {
        return fallbackDecisions.sum();
    }

    /** Calls to the shared store that failed. */
    public long sharedFailures() {
        return sharedFailures.sum();
    }

    /** Registers {@code portcullis_limit_store_degraded} and the switch and fallback counters. */
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("portcullis.limit.store.degraded", this, s -> s.health() == StoreHealth.DEGRADED ? 1 : 0)
                .description("1 while limit decisions do not come from the shared store").register(registry);
        FunctionCounter.builder("portcullis.limit.store.switches", this, FailoverLimitStore::switches)
                .description("switches from the shared store to the fallback").register(registry);
        FunctionCounter.builder("portcullis.limit.store.fallback.decisions", this,
                FailoverLimitStore::fallbackDecisions)
                .tag("mode", mode.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
                .description("limit decisions made without the shared store").register(registry);
    }

    /** Evictions of the fallback's in-process counters (the shared store has no bound of its own). */
    @Override
    public long evictions() {
        return local.evictions() + shared.evictions();
    }

    @Override
    public CompletionStage<AcquireResult> acquire(AcquireRequest request) {
        if (health.get() == StoreHealth.DEGRADED) {
            return fallback(request, null);
        }
        return shared.acquire(request).handle((result, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(result);
            }
            degrade(error);
            return fallback(request, error);
        }).thenCompose(s -> s);
    }

    private CompletionStage<AcquireResult> fallback(AcquireRequest request, Throwable cause) {
        fallbackDecisions.increment();
        if (mode == FailureMode.FAIL_CLOSED) {
            return CompletableFuture.failedFuture(new SharedStoreUnavailableException(cause));
        }
        List<Charge> divided = new ArrayList<>(request.charges().size());
        for (Charge c : request.charges()) {
            divided.add(c.dividedBy(instances));
        }
        return local.acquire(new AcquireRequest(divided, request.reservationId(), request.reservationTtlMicros()));
    }

    /** Local reservations settle locally; the rest go to the shared store (false if it fails). */
    @Override
    public CompletionStage<Boolean> settle(String reservationId, long actualTokens, long actualSpendMicros) {
        return local.settle(reservationId, actualTokens, actualSpendMicros).thenCompose(settled -> {
            if (settled) {
                return CompletableFuture.completedFuture(true);
            }
            return shared.settle(reservationId, actualTokens, actualSpendMicros).exceptionally(error -> {
                degrade(error);
                return false;
            });
        });
    }

    private void degrade(Throwable error) {
        sharedFailures.increment();
        if (health.compareAndSet(StoreHealth.SHARED, StoreHealth.DEGRADED)) {
            switches.increment();
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            LOG.error("shared limit store failed ({}); limits now {}", cause.getClass().getSimpleName(),
                    mode == FailureMode.FAIL_CLOSED ? "fail closed" : "local, divided by " + instances + " instances");
        }
    }

    private void probe() {
        if (health.get() != StoreHealth.DEGRADED || !probing.compareAndSet(false, true)) {
            return;
        }
        try {
            shared.acquire(new AcquireRequest(List.of(PROBE), Keys.newReservationId(), 1_000_000))
                    .toCompletableFuture().get(5, TimeUnit.SECONDS);
            if (health.compareAndSet(StoreHealth.DEGRADED, StoreHealth.SHARED)) {
                LOG.warn("shared limit store answers again; limits are shared again");
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.debug("shared limit store still failing: {}", e.getClass().getSimpleName());
        } finally {
            probing.set(false);
        }
    }

    @Override
    public void close() {
        prober.shutdownNow();
        try {
            shared.close();
        } finally {
            local.close();
        }
    }

    /** The shared store failed and limits fail closed. */
    public static final class SharedStoreUnavailableException extends RuntimeException {
        SharedStoreUnavailableException(Throwable cause) {
            super("shared limit store unavailable", cause, false, false);
        }
    }
}

package dev.portcullis.limit.concurrency;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import dev.portcullis.limit.config.PriorityClass;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Protects one upstream with an adaptive concurrency limit (Netflix concurrency-limits' {@link Limit},
 * Gradient2 by default, learning from latency). Priority classes share the limit in tiers: LOW may use
 * only {@code lowShare} of it and NORMAL {@code normalShare}, so as load rises LOW is shed first, then
 * NORMAL; HIGH may use all of it; CRITICAL is never refused (it is counted, so others yield to it).
 * Callers that find no slot wait in one bounded line (at most {@code maxWaiting}, each at most
 * {@code maxWait}), served by priority then arrival; a full line displaces its lowest-priority newest
 * waiter for a higher-priority newcomer. Non-blocking: waiting is a pending stage, no thread is parked.
 */
public final class AdaptiveConcurrencyLimiter {
    private final Limit limit;
    private final LongSupplier nanoClock;
    private final ScheduledExecutorService scheduler;
    private final int maxWaiting;
    private final Duration maxWait;
    private final double lowShare;
    private final double normalShare;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<PriorityClass, ArrayDeque<Waiter>> lines = new EnumMap<>(PriorityClass.class);
    private final Map<PriorityClass, LongAdder> shed = new EnumMap<>(PriorityClass.class);
    private int inflight;
    private int waiting;

    private AdaptiveConcurrencyLimiter(Builder b) {
        this.limit = b.limit;
        this.nanoClock = b.nanoClock;
        this.scheduler = Objects.requireNonNull(b.scheduler, "scheduler");
        this.maxWaiting = b.maxWaiting;
        this.maxWait = b.maxWait;
        this.lowShare = b.lowShare;
        this.normalShare = b.normalShare;
        for (PriorityClass p : PriorityClass.values()) {
            lines.put(p, new ArrayDeque<>());
            shed.put(p, new LongAdder());
        }
    }

    public static Builder builder(ScheduledExecutorService scheduler) {
        return new Builder(scheduler);
    }

    /** Asks for a slot; completes at once when one is free, later when one frees up, or shed. */
    public CompletionStage<Admission> acquire(PriorityClass priority) {
        Objects.requireNonNull(priority, "priority");
        Waiter displaced = null;
        Waiter me;
        lock.lock();
        try {
            if (priority == PriorityClass.CRITICAL || hasRoom(priority)) {
                return CompletableFuture.completedFuture(grant());
            }
            if (maxWaiting == 0) {
                return CompletableFuture.completedFuture(shedNow(priority, Admission.Why.QUEUE_FULL));
            }
            if (waiting >= maxWaiting) {
                displaced = lowestBelow(priority);
                if (displaced == null) {
                    return CompletableFuture.completedFuture(shedNow(priority, Admission.Why.QUEUE_FULL));
                }
                lines.get(displaced.priority).remove(displaced);
                waiting--;
            }
            me = new Waiter(priority);
            lines.get(priority).addLast(me);
            waiting++;
        } finally {
            lock.unlock();
        }
        if (displaced != null) {
            displaced.finish(shedNow(displaced.priority, Admission.Why.DISPLACED));
        }
        Waiter w = me;
        w.timeout = scheduler.schedule(() -> expire(w), maxWait.toNanos(), TimeUnit.NANOSECONDS);
        return w.future;
    }

    /** The current adaptive limit. */
    public int limit() {
        return limit.getLimit();
    }

    public int inflight() {
        lock.lock();
        try {
            return inflight;
        } finally {
            lock.unlock();
        }
    }

    public int waiting() {
        lock.lock();
        try {
            return waiting;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Registers {@code portcullis_upstream_concurrency_limit}, {@code _inflight}, {@code _waiting} and
     * {@code portcullis_upstream_shed_total{priority}} for one upstream (a configured name: bounded).
     */
    public void bindTo(io.micrometer.core.instrument.MeterRegistry registry, String upstream) {
        io.micrometer.core.instrument.Gauge.builder("portcullis.upstream.concurrency.limit", this,
                AdaptiveConcurrencyLimiter::limit).tag("upstream", upstream).register(registry);
        io.micrometer.core.instrument.Gauge.builder("portcullis.upstream.concurrency.inflight", this,
                AdaptiveConcurrencyLimiter::inflight).tag("upstream", upstream).register(registry);
        io.micrometer.core.instrument.Gauge.builder("portcullis.upstream.concurrency.waiting", this,
                AdaptiveConcurrencyLimiter::waiting).tag("upstream", upstream).register(registry);
        for (PriorityClass p : PriorityClass.values()) {
            io.micrometer.core.instrument.FunctionCounter.builder("portcullis.upstream.shed", this, l -> l.shed(p))
                    .tag("upstream", upstream).tag("priority", p.name().toLowerCase(java.util.Locale.ROOT))
                    .register(registry);
        }
    }

    /** Requests of {@code priority} shed so far. */
    public long shed(PriorityClass priority) {
        return shed.get(priority).sum();
    }

    private boolean hasRoom(PriorityClass p) {
        int l = limit.getLimit();
        double cap = switch (p) {
            case CRITICAL, HIGH -> l;
            case NORMAL -> l * normalShare;
            case LOW -> l * lowShare;
        };
        return inflight < Math.max(1, (int) cap);
    }

    private Admission grant() {
        inflight++;
        return new Admission.Granted(new SlotPermit(nanoClock.getAsLong(), inflight));
    }

    private Admission shedNow(PriorityClass p, Admission.Why why) {
        shed.get(p).increment();
        return new Admission.Shed(why);
    }

    private Waiter lowestBelow(PriorityClass newcomer) {
        PriorityClass[] order = PriorityClass.values();
        for (int i = order.length - 1; i > newcomer.ordinal(); i--) {
            Waiter w = lines.get(order[i]).peekLast();
            if (w != null) {
                return w;
            }
        }
        return null;
    }

    private void expire(Waiter w) {
        boolean removed;
        lock.lock();
        try {
            removed = lines.get(w.priority).remove(w);
            if (removed) {
                waiting--;
            }
        } finally {
            lock.unlock();
        }
        if (removed) {
            w.finish(shedNow(w.priority, Admission.Why.TIMEOUT));
        }
    }

    private void release(long startNanos, int inflightAtStart, boolean didDrop, boolean sample) {
        if (sample) {
            limit.onSample(startNanos, nanoClock.getAsLong() - startNanos, inflightAtStart, didDrop);
        }
        lock.lock();
        try {
            inflight--;
        } finally {
            lock.unlock();
        }
        drain();
    }

    /** Hands freed slots to waiters, highest priority first. */
    private void drain() {
        while (true) {
            Waiter next = null;
            Admission granted = null;
            lock.lock();
            try {
                for (PriorityClass p : PriorityClass.values()) {
                    Waiter w = lines.get(p).peekFirst();
                    if (w != null && hasRoom(p)) {
                        lines.get(p).pollFirst();
                        waiting--;
                        next = w;
                        granted = grant();
                        break;
                    }
                }
            } finally {
                lock.unlock();
            }
            if (next == null) {
                return;
            }
            if (next.timeout != null) {
                next.timeout.cancel(false);
            }
            if (!next.finish(granted)) {
                ((Admission.Granted) granted).permit().ignore();
            }
        }
    }

    private final class SlotPermit implements Permit {
        private final long start;
        private final int inflightAtStart;
        private final AtomicBoolean ended = new AtomicBoolean();

        SlotPermit(long start, int inflightAtStart) {
            this.start = start;
            this.inflightAtStart = inflightAtStart;
        }

        @Override
        public boolean success() {
            return end(false, true);
        }

        @Override
        public boolean dropped() {
            return end(true, true);
        }

        @Override
        public boolean ignore() {
            return end(false, false);
        }

        private boolean end(boolean didDrop, boolean sample) {
            if (!ended.compareAndSet(false, true)) {
                return false;
            }
            release(start, inflightAtStart, didDrop, sample);
            return true;
        }
    }

    private static final class Waiter {
        final PriorityClass priority;
        final CompletableFuture<Admission> future = new CompletableFuture<>();
        volatile ScheduledFuture<?> timeout;

        Waiter(PriorityClass priority) {
            this.priority = priority;
        }

        boolean finish(Admission a) {
            return future.complete(a);
        }
    }

    /** Configures the limiter; every bound must be set explicitly or keeps a stated default. */
    public static final class Builder {
        private final ScheduledExecutorService scheduler;
        private Limit limit = Gradient2Limit.newBuilder().initialLimit(50).minLimit(4).maxConcurrency(500).build();
        private LongSupplier nanoClock = System::nanoTime;
        private int maxWaiting = 100;
        private Duration maxWait = Duration.ofSeconds(2);
        private double lowShare = 0.5;
        private double normalShare = 0.8;

        private Builder(ScheduledExecutorService scheduler) {
            this.scheduler = scheduler;
        }

        /** The limit algorithm (default Gradient2, initial 50, between 4 and 500). */
        public Builder limit(Limit v) {
            limit = Objects.requireNonNull(v);
            return this;
        }

        public Builder nanoClock(LongSupplier v) {
            nanoClock = Objects.requireNonNull(v);
            return this;
        }

        /** How many callers may wait at once (default 100; 0: never wait). */
        public Builder maxWaiting(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("maxWaiting must not be negative, was " + v);
            }
            maxWaiting = v;
            return this;
        }

        /** How long one caller may wait (default 2 s). */
        public Builder maxWait(Duration v) {
            if (v.isNegative() || v.isZero()) {
                throw new IllegalArgumentException("maxWait must be positive, was " + v);
            }
            maxWait = v;
            return this;
        }

        /** Shares of the limit LOW and NORMAL traffic may use (default 0.5 and 0.8). */
        public Builder shares(double low, double normal) {
            if (!(low > 0 && low <= normal && normal <= 1)) {
                throw new IllegalArgumentException("need 0 < low <= normal <= 1, was " + low + ", " + normal);
            }
            lowShare = low;
            normalShare = normal;
            return this;
        }

        public AdaptiveConcurrencyLimiter build() {
            return new AdaptiveConcurrencyLimiter(this);
        }
    }
}

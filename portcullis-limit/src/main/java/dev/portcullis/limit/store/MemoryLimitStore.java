package dev.portcullis.limit.store;

import dev.portcullis.limit.config.Unit;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One process's counters. Bounded: at most {@code maxKeys} counters and {@code maxReservations}
 * reservations; expired entries are dropped as they are met and swept from the least recently used end.
 * When full, the least recently used live counter is evicted (counted in {@link #evictions()}); size the
 * bound above the expected number of live keys. Semantics match the Redis script exactly.
 */
final class MemoryLimitStore implements LimitStore {
    private static final long CONCURRENCY_RETRY_MICROS = 1_000_000;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MemoryLimitStore.class);

    private final InstantSource clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicLong evictions = new AtomicLong();
    private final LinkedHashMap<String, State> counters;
    private final LinkedHashMap<String, Reservation> reservations;

    MemoryLimitStore(InstantSource clock, int maxKeys, int maxReservations) {
        if (maxKeys < 1 || maxReservations < 1) {
            throw new IllegalArgumentException("maxKeys and maxReservations must be positive");
        }
        this.clock = clock;
        this.counters = new LinkedHashMap<>(Math.min(maxKeys, 1 << 16), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, State> eldest) {
                if (size() > maxKeys) {
                    if (evictions.incrementAndGet() == 1) {
                        LOG.warn("limit store full ({} counters): the least recently used are dropped and start again"
                                + " from zero; raise the bound", maxKeys);
                    }
                    return true;
                }
                return false;
            }
        };
        this.reservations = new LinkedHashMap<>(Math.min(maxReservations, 1 << 16), 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Reservation> eldest) {
                return size() > maxReservations;
            }
        };
    }

    @Override
    public long evictions() {
        return evictions.get();
    }

    @Override
    public CompletionStage<AcquireResult> acquire(AcquireRequest request) {
        return CompletableFuture.completedFuture(acquireNow(request));
    }

    AcquireResult acquireNow(AcquireRequest request) {
        long now = Micros.now(clock);
        List<Charge> charges = request.charges();
        int n = charges.size();
        State[] states = new State[n];
        MeterState[] out = new MeterState[n];
        boolean admitted = true;
        int refused = -1;
        long retry = 0;
        lock.lock();
        try {
            sweep(now);
            for (int i = 0; i < n; i++) {
                Charge c = charges.get(i);
                State s = live(c.key(), now);
                states[i] = s;
                long wait = evaluate(c, s, now, out, i);
                if (wait > 0) {
                    if (admitted || wait > retry) {
                        refused = i;
                        retry = wait;
                    }
                    admitted = false;
                }
            }
            if (admitted) {
                for (int i = 0; i < n; i++) {
                    Charge c = charges.get(i);
                    if (c.cost() > 0) {
                        apply(c, states[i], now, request.reservationId(), i);
                    }
                }
                if (request.needsSettlement()) {
                    reservations.put(request.reservationId(),
                            new Reservation(charges, now, now + request.reservationTtlMicros()));
                }
            }
        } finally {
            lock.unlock();
        }
        return new AcquireResult(admitted, refused, retry, List.of(out));
    }

    /** Fills out[i]; returns 0 if the charge fits, else the microseconds to wait. */
    private long evaluate(Charge c, State s, long now, MeterState[] out, int i) {
        long cost = c.cost();
        switch (c.meter()) {
            case Meter.TokenBucket m -> {
                double t = m.interval();
                double tat = s == null ? now : Math.max(((Bucket) s).tat, now);
                double newTat = Math.ceil(tat + cost * t);
                double allowAt = newTat - m.burst() * t;
                if (allowAt > now) {
                    out[i] = new MeterState(clamp((long) Math.floor((now - (tat - m.burst() * t)) / t), m.burst()),
                            (long) Math.ceil(tat - now));
                    return (long) Math.ceil(allowAt - now);
                }
                out[i] = new MeterState(clamp((long) Math.floor((now - allowAt) / t), m.burst()),
                        (long) (newTat - now));
                return 0;
            }
            case Meter.SlidingWindow m -> {
                Log log = (Log) s;
                long sum = log == null ? 0 : log.expire(now - m.windowMicros());
                if (sum + cost <= m.limit()) {
                    long oldest = log == null || log.entries.isEmpty() ? now : log.entries.peekFirst().at;
                    long reset = cost > 0 || (log != null && !log.entries.isEmpty()) ? oldest + m.windowMicros() - now : 0;
                    out[i] = new MeterState(m.limit() - sum - cost, reset);
                    return 0;
                }
                boolean empty = log == null || log.entries.isEmpty();
                long oldestReset = empty ? 0 : log.entries.peekFirst().at + m.windowMicros() - now;
                out[i] = new MeterState(Math.max(0, m.limit() - sum), oldestReset);
                long need = sum + cost - m.limit();
                if (cost > m.limit() || empty) {
                    return m.windowMicros();
                }
                long freed = 0;
                for (LogEntry e : log.entries) {
                    freed += e.cost;
                    if (freed >= need) {
                        return e.at + m.windowMicros() - now;
                    }
                }
                return m.windowMicros();
            }
            case Meter.Concurrency m -> {
                Leases l = (Leases) s;
                long count = l == null ? 0 : l.expire(now);
                if (count + cost <= m.limit()) {
                    out[i] = new MeterState(m.limit() - count - cost, 0);
                    return 0;
                }
                out[i] = new MeterState(Math.max(0, m.limit() - count), 0);
                return CONCURRENCY_RETRY_MICROS;
            }
            case Meter.Calendar m -> {
                long value = s == null ? m.seed() : ((Counter) s).value;
                long reset = Math.max(0, m.endsAtMicros() - now);
                if (value + cost <= m.limit()) {
                    out[i] = new MeterState(m.limit() - value - cost, reset);
                    return 0;
                }
                out[i] = new MeterState(Math.max(0, m.limit() - value), reset);
                return Math.max(1, reset);
            }
        }
    }

    private void apply(Charge c, State s, long now, String rid, int index) {
        long cost = c.cost();
        switch (c.meter()) {
            case Meter.TokenBucket m -> {
                Bucket b = s == null ? new Bucket() : (Bucket) s;
                b.tat = Math.ceil(Math.max(b.tat, now) + cost * m.interval());
                b.expiresAt = (long) b.tat;
                counters.put(c.key(), b);
            }
            case Meter.SlidingWindow m -> {
                Log log = s == null ? new Log() : (Log) s;
                log.entries.addLast(new LogEntry(now, cost, rid + ":" + index));
                log.sum += cost;
                log.expiresAt = now + m.windowMicros();
                counters.put(c.key(), log);
            }
            case Meter.Concurrency m -> {
                Leases l = s == null ? new Leases() : (Leases) s;
                l.leases.put(rid, now + m.leaseMicros());
                l.expiresAt = Math.max(l.expiresAt, now + m.leaseMicros());
                counters.put(c.key(), l);
            }
            case Meter.Calendar m -> {
                Counter k = s == null ? new Counter(m.seed()) : (Counter) s;
                k.value += cost;
                k.expiresAt = m.endsAtMicros();
                counters.put(c.key(), k);
            }
        }
    }

    @Override
    public CompletionStage<Boolean> settle(String reservationId, long actualTokens, long actualSpendMicros) {
        if (actualTokens < 0 || actualSpendMicros < 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("actual usage must not be negative"));
        }
        long now = Micros.now(clock);
        lock.lock();
        try {
            Reservation r = reservations.remove(reservationId);
            if (r == null || r.expiresAt <= now) {
                return CompletableFuture.completedFuture(false);
            }
            for (int i = 0; i < r.charges.size(); i++) {
                Charge c = r.charges.get(i);
                if (c.cost() == 0 && c.unit() != Unit.CONCURRENCY) {
                    continue;
                }
                State s = live(c.key(), now);
                switch (c.unit()) {
                    case REQUESTS -> { }
                    case CONCURRENCY -> {
                        if (s instanceof Leases l) {
                            l.leases.remove(reservationId);
                        }
                    }
                    case TOKENS, SPEND -> {
                        long actual = c.unit() == Unit.TOKENS ? actualTokens : actualSpendMicros;
                        adjust(c, s, now, actual - c.cost(), actual, reservationId + ":" + i);
                    }
                }
            }
            return CompletableFuture.completedFuture(true);
        } finally {
            lock.unlock();
        }
    }

    private void adjust(Charge c, State s, long now, long delta, long actual, String member) {
        if (delta == 0) {
            return;
        }
        switch (c.meter()) {
            case Meter.TokenBucket m -> {
                Bucket b = s == null ? new Bucket() : (Bucket) s;
                double base = Math.max(b.tat, now);
                b.tat = Math.max(now, Math.ceil(base + delta * m.interval()));
                b.expiresAt = (long) b.tat;
                counters.put(c.key(), b);
            }
            case Meter.SlidingWindow m -> {
                if (s instanceof Log log) {
                    for (LogEntry e : log.entries) {
                        if (e.member.equals(member)) {
                            log.sum += actual - e.cost;
                            e.cost = actual;
                            break;
                        }
                    }
                }
            }
            case Meter.Calendar m -> {
                if (s instanceof Counter k) {
                    k.value = Math.max(0, k.value + delta);
                }
            }
            case Meter.Concurrency m -> { }
        }
    }

    private State live(String key, long now) {
        State s = counters.get(key);
        if (s != null && s.expiresAt <= now) {
            counters.remove(key);
            return null;
        }
        return s;
    }

    /** Drops a few expired entries from the least recently used end: O(1) per call, bounded work. */
    private void sweep(long now) {
        Iterator<State> it = counters.values().iterator();
        for (int i = 0; i < 2 && it.hasNext(); i++) {
            if (it.next().expiresAt <= now) {
                it.remove();
            } else {
                break;
            }
        }
        Iterator<Reservation> rit = reservations.values().iterator();
        for (int i = 0; i < 2 && rit.hasNext(); i++) {
            if (rit.next().expiresAt <= now) {
                rit.remove();
            } else {
                break;
            }
        }
    }

    private static long clamp(long v, long max) {
        return Math.max(0, Math.min(v, max));
    }

    @Override
    public void close() {
        lock.lock();
        try {
            counters.clear();
            reservations.clear();
        } finally {
            lock.unlock();
        }
    }

    private abstract static class State {
        long expiresAt;
    }

    private static final class Bucket extends State {
        double tat;
    }

    private static final class LogEntry {
        final long at;
        long cost;
        final String member;

        LogEntry(long at, long cost, String member) {
            this.at = at;
            this.cost = cost;
            this.member = member;
        }
    }

    private static final class Log extends State {
        final ArrayDeque<LogEntry> entries = new ArrayDeque<>();
        long sum;

        /** Drops entries at or before {@code horizon}; returns the remaining sum. */
        long expire(long horizon) {
            while (!entries.isEmpty() && entries.peekFirst().at <= horizon) {
                sum -= entries.pollFirst().cost;
            }
            return sum;
        }
    }

    private static final class Leases extends State {
        final HashMap<String, Long> leases = new HashMap<>();

        long expire(long now) {
            leases.values().removeIf(until -> until <= now);
            return leases.size();
        }
    }

    private static final class Counter extends State {
        long value;

        Counter(long seed) {
            value = seed;
        }
    }

    private record Reservation(List<Charge> charges, long createdAt, long expiresAt) {
        Reservation {
            charges = new ArrayList<>(charges);
        }
    }
}

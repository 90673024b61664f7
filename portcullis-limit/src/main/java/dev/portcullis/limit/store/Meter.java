package dev.portcullis.limit.store;

/**
 * How one counter decides. All times are microseconds; {@code limit} is in the charge's unit.
 * Implementations are exact: no meter admits more than its bound in any window (see each record).
 */
public sealed interface Meter {

    /** The most a caller may hold or spend. */
    long limit();

    /** The same meter with limit (and burst) divided by {@code parts}, at least 1; used by local fallback. */
    Meter dividedBy(int parts);

    /** One-letter code used in store encodings. */
    char code();

    /**
     * GCRA (a token bucket without a refill timer): {@code limit} per {@code periodMicros}, at most
     * {@code burst} at once. In any window of length w, at most {@code burst + limit * w / period} are admitted.
     */
    record TokenBucket(long limit, long periodMicros, long burst) implements Meter {
        public TokenBucket {
            positive(limit, "limit");
            positive(periodMicros, "periodMicros");
            positive(burst, "burst");
        }

        @Override
        public Meter dividedBy(int parts) {
            return new TokenBucket(Math.max(1, limit / parts), periodMicros, Math.max(1, burst / parts));
        }

        @Override
        public char code() {
            return 'g';
        }

        /** Microseconds of credit one unit costs. */
        public double interval() {
            return (double) periodMicros / limit;
        }
    }

    /** Exact sliding log: the sum of costs admitted in any window of {@code windowMicros} never exceeds {@code limit}. */
    record SlidingWindow(long limit, long windowMicros) implements Meter {
        public SlidingWindow {
            positive(limit, "limit");
            positive(windowMicros, "windowMicros");
        }

        @Override
        public Meter dividedBy(int parts) {
            return new SlidingWindow(Math.max(1, limit / parts), windowMicros);
        }

        @Override
        public char code() {
            return 'w';
        }
    }

    /**
     * At most {@code limit} leases held at once; a lease not released within {@code leaseMicros} expires
     * (so a crashed caller cannot hold a slot for ever).
     */
    record Concurrency(long limit, long leaseMicros) implements Meter {
        public Concurrency {
            positive(limit, "limit");
            positive(leaseMicros, "leaseMicros");
        }

        @Override
        public Meter dividedBy(int parts) {
            return new Concurrency(Math.max(1, limit / parts), leaseMicros);
        }

        @Override
        public char code() {
            return 'c';
        }
    }

    /**
     * A counter for one calendar period (a budget): at most {@code limit} until {@code endsAtMicros}, when
     * it is gone. The period is part of the key, so the next period starts afresh. A counter that does not
     * exist yet starts at {@code seed} (what the usage ledger already recorded for the period, so a restart or
     * a lost Redis does not reset a budget); the seed is ignored once the counter exists.
     */
    record Calendar(long limit, long endsAtMicros, long seed) implements Meter {
        public Calendar {
            positive(limit, "limit");
            if (seed < 0) {
                throw new IllegalArgumentException("seed must not be negative, was " + seed);
            }
        }

        /** Each part gets its share of the limit and of what was already used. */
        @Override
        public Meter dividedBy(int parts) {
            return new Calendar(Math.max(1, limit / parts), endsAtMicros, seed / parts);
        }

        @Override
        public char code() {
            return 'k';
        }
    }

    private static void positive(long v, String name) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + v);
        }
    }
}

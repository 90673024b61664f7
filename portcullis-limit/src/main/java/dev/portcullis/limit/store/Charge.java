package dev.portcullis.limit.store;

import dev.portcullis.limit.config.Unit;
import java.util.Objects;

/**
 * One counter a request is charged against. {@code key} must be a store-safe key (see {@link Keys});
 * {@code cost} 0 only reads the counter.
 */
public record Charge(String key, Meter meter, Unit unit, long cost) {
    public Charge {
        Objects.requireNonNull(key, "key");
        if (!Keys.isSafe(key)) {
            throw new IllegalArgumentException("key is not store-safe (build it from Keys.part)");
        }
        Objects.requireNonNull(meter, "meter");
        Objects.requireNonNull(unit, "unit");
        if (cost < 0) {
            throw new IllegalArgumentException("cost must not be negative, was " + cost);
        }
        if ((unit == Unit.CONCURRENCY) != (meter instanceof Meter.Concurrency)) {
            throw new IllegalArgumentException("unit CONCURRENCY goes with a Concurrency meter, and only with it");
        }
        if (unit == Unit.CONCURRENCY && cost > 1) {
            throw new IllegalArgumentException("a concurrency charge takes one lease, cost was " + cost);
        }
    }

    /** The same charge against a divided meter, for local fallback. */
    public Charge dividedBy(int parts) {
        return new Charge(key, meter.dividedBy(parts), unit, cost);
    }

    /** The same charge with cost 0: reads without writing. */
    public Charge peek() {
        return new Charge(key, meter, unit, 0);
    }
}

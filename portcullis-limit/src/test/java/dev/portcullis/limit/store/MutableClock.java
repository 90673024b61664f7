package dev.portcullis.limit.store;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/** A test clock that moves only when told to. Far from the wall clock on purpose. */
public final class MutableClock implements InstantSource {
    private final AtomicLong micros;

    public MutableClock() {
        this(Instant.parse("2031-03-14T10:00:00Z"));
    }

    public MutableClock(Instant start) {
        micros = new AtomicLong(start.getEpochSecond() * 1_000_000L + start.getNano() / 1_000);
    }

    public void advance(Duration d) {
        micros.addAndGet(d.toNanos() / 1_000);
    }

    public void advanceMicros(long us) {
        micros.addAndGet(us);
    }

    public long micros() {
        return micros.get();
    }

    @Override
    public Instant instant() {
        long m = micros.get();
        return Instant.ofEpochSecond(Math.floorDiv(m, 1_000_000L), Math.floorMod(m, 1_000_000L) * 1_000);
    }
}

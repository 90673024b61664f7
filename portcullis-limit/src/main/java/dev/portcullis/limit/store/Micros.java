package dev.portcullis.limit.store;

import java.time.Instant;
import java.time.InstantSource;

/** Microsecond time from an injected clock. */
final class Micros {
    private Micros() {}

    static long now(InstantSource clock) {
        Instant i = clock.instant();
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
    }
}

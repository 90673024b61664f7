package dev.portcullis.limit.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryLimitStoreTest extends LimitStoreContract {
    @Override
    protected LimitStore newStore(MutableClock clock) {
        return LimitStores.memory(clock, 10_000, 10_000);
    }

    @Test
    void staysWithinItsKeyBoundAndCountsEvictions() {
        MemoryLimitStore small = new MemoryLimitStore(clock, 3, 3);
        Meter m = new Meter.SlidingWindow(10, MINUTE);
        for (int i = 0; i < 10; i++) {
            small.acquireNow(new AcquireRequest(List.of(requests("k" + i, m)), Keys.newReservationId(), MINUTE));
        }
        assertThat(small.evictions()).isEqualTo(7);
    }
}

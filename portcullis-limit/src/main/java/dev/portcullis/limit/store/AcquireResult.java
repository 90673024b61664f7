package dev.portcullis.limit.store;

import java.util.List;

/**
 * The outcome of one atomic acquire. When refused nothing was charged; {@code refusedIndex} is the
 * charge that binds longest and {@code retryAfterMicros} the wait until every refused charge could pass
 * (meaningless for a cost above a meter's capacity, which never passes: callers refuse such requests
 * before asking). {@code states} follows the order of the charges.
 */
public record AcquireResult(boolean admitted, int refusedIndex, long retryAfterMicros, List<MeterState> states) {
    public AcquireResult {
        states = List.copyOf(states);
    }
}

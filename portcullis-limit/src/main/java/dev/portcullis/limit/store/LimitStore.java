package dev.portcullis.limit.store;

import java.util.concurrent.CompletionStage;

/**
 * Counter storage. Every call is atomic across all its charges; time comes from the store's injected
 * clock (never from the server), so one clock drives every backend alike.
 *
 * <p>A failed stage means the store is broken (unreachable, timed out), never "over the limit".
 * The in-memory store completes every stage before returning.
 */
public interface LimitStore extends AutoCloseable {

    /** Charges all or none; records the reservation when the request holds tokens, spend or a lease. */
    CompletionStage<AcquireResult> acquire(AcquireRequest request);

    /**
     * Replaces the reserved tokens and spend with the actual amounts (refunding or charging the difference,
     * which may take a counter into debt) and frees the reservation's leases. Completes with false if the
     * reservation is unknown: already settled, released, or expired.
     */
    CompletionStage<Boolean> settle(String reservationId, long actualTokens, long actualSpendMicros);

    /**
     * Live counters this store dropped to stay within its bound (a dropped counter starts again from zero), since
     * it was created; 0 for a store without such a bound.
     */
    default long evictions() {
        return 0;
    }

    /** Settle with nothing used: refunds tokens and spend, frees leases. Requests stay counted. */
    default CompletionStage<Boolean> release(String reservationId) {
        return settle(reservationId, 0, 0);
    }

    @Override
    void close();
}

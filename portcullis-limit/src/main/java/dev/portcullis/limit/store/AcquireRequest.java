package dev.portcullis.limit.store;

import java.util.List;
import java.util.Objects;

/**
 * All charges of one request, decided together: either all are charged or none.
 * {@code reservationId} (unique, store-safe) names the reservation to settle or release later;
 * it is kept for {@code reservationTtlMicros}, after which settle finds nothing and the reserved amounts
 * stay charged (an abandoned request is billed its estimate). Charge keys must be distinct.
 */
public record AcquireRequest(List<Charge> charges, String reservationId, long reservationTtlMicros) {
    public AcquireRequest {
        charges = List.copyOf(charges);
        Objects.requireNonNull(reservationId, "reservationId");
        if (!Keys.isSafe(reservationId)) {
            throw new IllegalArgumentException("reservationId is not store-safe");
        }
        if (reservationTtlMicros <= 0) {
            throw new IllegalArgumentException("reservationTtlMicros must be positive");
        }
    }

    /** True if any charge holds something that settle or release must end (tokens, spend, a lease). */
    public boolean needsSettlement() {
        for (Charge c : charges) {
            if (c.cost() > 0 && c.unit() != dev.portcullis.limit.config.Unit.REQUESTS) {
                return true;
            }
        }
        return false;
    }
}

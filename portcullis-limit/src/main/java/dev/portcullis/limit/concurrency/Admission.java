package dev.portcullis.limit.concurrency;

/** The outcome of asking for an upstream slot. */
public sealed interface Admission {

    /** Forward the request; end the permit exactly once. */
    record Granted(Permit permit) implements Admission {}

    /** Do not forward (503 + Retry-After): the upstream is at capacity for this priority. */
    record Shed(Why why) implements Admission {}

    /** Why a request was shed. */
    enum Why {
        /** The waiting line was full. */
        QUEUE_FULL,
        /** No slot became free within the maximum wait. */
        TIMEOUT,
        /** A request of higher priority took this one's place in the waiting line. */
        DISPLACED
    }
}

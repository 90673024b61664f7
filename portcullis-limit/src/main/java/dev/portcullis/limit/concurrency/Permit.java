package dev.portcullis.limit.concurrency;

/**
 * A slot in the upstream concurrency limit. End it exactly once: {@link #success} when the upstream
 * answered (its latency feeds the adaptive limit), {@link #dropped} when it timed out or was overloaded
 * (the limit shrinks), {@link #ignore} when the outcome says nothing about upstream capacity (client went
 * away, request refused before forwarding). Later calls do nothing and return false.
 */
public interface Permit {
    boolean success();

    boolean dropped();

    boolean ignore();
}

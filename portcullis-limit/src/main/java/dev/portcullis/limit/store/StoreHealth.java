package dev.portcullis.limit.store;

/** Whether decisions come from the shared store or from the fallback. */
public enum StoreHealth {
    /** Decisions are made by the shared store. */
    SHARED,
    /** The shared store failed: decisions are local (fail-open-local) or refused (fail-closed). */
    DEGRADED
}

package dev.portcullis.identity.apikey;

import dev.portcullis.identity.store.IdentityStore;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Collects last-used times in memory and writes them to the store in batches, so that a request never
 * waits for a write. Holds at most {@code maxPending} keys; when full, a flush is started on the executor
 * and further keys are dropped until it completes (counted in {@link #dropped()}).
 */
public final class LastUsedRecorder {

  private final IdentityStore store;
  private final Executor executor;
  private final int maxPending;
  private final ConcurrentHashMap<String, Instant> pending = new ConcurrentHashMap<>();
  private final AtomicBoolean flushing = new AtomicBoolean();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failedFlushes = new AtomicLong();

  public LastUsedRecorder(IdentityStore store, Executor executor, int maxPending) {
    if (maxPending < 1) {
      throw new IllegalArgumentException("maxPending must be positive");
    }
    this.store = store;
    this.executor = executor;
    this.maxPending = maxPending;
  }

  /** Notes a use; O(1), never blocks on I/O. */
  public void record(String keyId, Instant at) {
    if (pending.size() >= maxPending && !pending.containsKey(keyId)) {
      dropped.incrementAndGet();
      flushAsync();
      return;
    }
    pending.merge(keyId, at, (a, b) -> a.isAfter(b) ? a : b);
  }

  /** Writes everything noted so far in one batch; call periodically (e.g. every 10 s) and on shutdown. */
  public void flush() {
    if (pending.isEmpty()) {
      return;
    }
    Map<String, Instant> batch = new HashMap<>();
    for (String id : pending.keySet()) {
      Instant at = pending.remove(id);
      if (at != null) {
        batch.put(id, at);
      }
    }
    try {
      store.recordLastUsed(batch);
    } catch (RuntimeException e) {
      failedFlushes.incrementAndGet();
      batch.forEach((id, at) -> pending.merge(id, at, (a, b) -> a.isAfter(b) ? a : b));
      throw e;
    }
  }

  /** Starts {@link #flush()} on the executor unless one is already running. */
  public void flushAsync() {
    if (flushing.compareAndSet(false, true)) {
      executor.execute(() -> {
        try {
          flush();
        } catch (RuntimeException e) {
          // counted in failedFlushes; the times stay pending for the next flush
        } finally {
          flushing.set(false);
        }
      });
    }
  }

  /** Uses not recorded because the pending set was full. */
  public long dropped() {
    return dropped.get();
  }

  /** Flushes that failed; their times were kept for the next attempt. */
  public long failedFlushes() {
    return failedFlushes.get();
  }

  int pendingCount() {
    return pending.size();
  }
}

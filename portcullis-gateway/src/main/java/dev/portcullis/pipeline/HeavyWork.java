package dev.portcullis.pipeline;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Work too large for an event loop (counting the tokens of a megabyte prompt) runs here: a small worker pool shared by
 * every event loop, with a bound on how much may wait. Over the bound the caller is told at once (and answers 503)
 * instead of queueing without end, so a flood of large requests costs at most the pool's threads. The pool lives as
 * long as its Vert.x instance.
 */
public final class HeavyWork {

  /** Request bodies over this size are counted and scanned here rather than on an event loop. */
  public static final int LARGE_BODY_BYTES = 64 * 1024;

  private final WorkerExecutor executor;
  private final AtomicInteger pending = new AtomicInteger();
  private final int maxPending;

  /** {@code threads} run at once; at most {@code maxPending} are accepted (running or waiting) at any time. */
  public HeavyWork(Vertx vertx, int threads, int maxPending) {
    if (threads < 1 || maxPending < threads) {
      throw new IllegalArgumentException("need at least one thread and maxPending >= threads");
    }
    this.executor = vertx.createSharedWorkerExecutor("portcullis-heavy-work", threads);
    this.maxPending = maxPending;
  }

  /**
   * Runs {@code work} on the pool; the future completes on the calling context. Null when {@code maxPending} pieces
   * of work are already accepted.
   */
  public <T> Future<T> submit(Callable<T> work) {
    if (pending.incrementAndGet() > maxPending) {
      pending.decrementAndGet();
      return null;
    }
    return executor.executeBlocking(work, false).andThen(ar -> pending.decrementAndGet());
  }
}

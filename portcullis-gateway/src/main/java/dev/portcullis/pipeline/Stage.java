package dev.portcullis.pipeline;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One step of the request path (identify, screen, authorize, limit, inspect input, …). Runs on the event loop: a
 * stage must not block; it returns a future when it has to wait (a store lookup, a Redis script) and an already
 * completed one otherwise ({@link Decision#CONTINUE_NOW}). A stage that throws or fails its future fails the request
 * closed (500) and is counted.
 */
@FunctionalInterface
public interface Stage {

  Future<Decision> apply(Exchange exchange);

  /**
   * {@code stage} as a future that completes on the calling thread's Vert.x context: at once when the stage is
   * already done, else when it completes on whatever thread (a store's client thread), handed back to the context.
   * Call it on an event loop.
   */
  static <T> Future<T> onContext(CompletionStage<T> stage) {
    CompletableFuture<T> f = stage.toCompletableFuture();
    if (f.isDone() && !f.isCompletedExceptionally()) {
      return Future.succeededFuture(f.join());
    }
    Promise<T> promise = Promise.promise();
    var context = Vertx.currentContext();
    f.whenComplete((value, error) -> context.runOnContext(v -> {
      if (error != null) {
        promise.fail(error instanceof java.util.concurrent.CompletionException c && c.getCause() != null
            ? c.getCause() : error);
      } else {
        promise.complete(value);
      }
    }));
    return promise.future();
  }

  /** Name used in metrics and logs. */
  default String name() {
    String simple = getClass().getSimpleName();
    return simple.isEmpty() || simple.contains("$$") ? "stage" : simple;
  }
}

package dev.portcullis.pipeline;

import io.vertx.core.Future;

/**
 * One step of the request path (identify, screen, authorize, limit, inspect input, …). Runs on the event loop: a
 * stage must not block; it returns a future when it has to wait (a store lookup, a Redis script) and an already
 * completed one otherwise ({@link Decision#CONTINUE_NOW}). A stage that throws or fails its future fails the request
 * closed (500) and is counted.
 */
@FunctionalInterface
public interface Stage {

  Future<Decision> apply(Exchange exchange);

  /** Name used in metrics and logs. */
  default String name() {
    String simple = getClass().getSimpleName();
    return simple.isEmpty() || simple.contains("$$") ? "stage" : simple;
  }
}

package dev.portcullis.testkit;

import io.vertx.core.Future;

/** Decides when a streamed event may be sent: the simulator waits for the returned future before sending it. */
@FunctionalInterface
public interface StreamPacer {

  /**
   * @param index 0 for the first content event, then 1, 2, …
   * @return completes when event {@code index} may be written
   */
  Future<Void> beforeEvent(int index);
}

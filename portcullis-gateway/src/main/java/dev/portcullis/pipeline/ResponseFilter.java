package dev.portcullis.pipeline;

import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * Inspects what an upstream answers before the client sees it: whole bodies, or a stream one event at a time.
 * Output guards implement it; one instance serves one response and is called on one thread.
 *
 * <p>For a stream the gateway calls {@link #onEvent} for each complete upstream event in order and then
 * {@link #finish} once; a filter may hold events back (emit nothing now, emit them later), rewrite them, or end the
 * stream with an error. For a whole (non-streamed) response it calls {@link #onBody} once.
 */
public interface ResponseFilter {

  /** Forwards everything unchanged. The gateway skips all filtering work for it. */
  ResponseFilter PASS_THROUGH = new ResponseFilter() {
    @Override
    public Result onEvent(SseEvent event) {
      return Result.PASS;
    }

    @Override
    public Result onBody(Buffer body) {
      return Result.PASS;
    }

    @Override
    public Result finish() {
      return Result.PASS;
    }
  };

  Result onEvent(SseEvent event);

  /** A whole response body (2xx only). */
  Result onBody(Buffer body);

  /** The upstream stream ended; emit anything held back. */
  Result finish();

  /** What to send on. */
  sealed interface Result {

    /** Send the input unchanged (for {@link #finish()}: nothing more to send). */
    Result PASS = new Pass();

    record Pass() implements Result {}

    /** Send these instead of the input (events for streams, one body for whole responses); may be empty. */
    record Emit(List<Buffer> parts) implements Result {
      public Emit {
        parts = List.copyOf(parts);
      }
    }

    /**
     * Stop: for a stream, send a final SSE error event and end it; for a whole response, answer {@code status} with
     * this error instead of the upstream body.
     */
    record End(int status, ApiError error) implements Result {}
  }
}

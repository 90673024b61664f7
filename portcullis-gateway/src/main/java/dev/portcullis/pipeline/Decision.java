package dev.portcullis.pipeline;

import io.vertx.core.Future;
import java.util.Map;

/** What a stage decided about a request: go on to the next stage, or answer now with an error. */
public sealed interface Decision {

  Decision CONTINUE = new Continue();

  /** An already-completed future of {@link #CONTINUE}, for stages that decide synchronously. */
  Future<Decision> CONTINUE_NOW = Future.succeededFuture(CONTINUE);

  /** Go on to the next stage. */
  record Continue() implements Decision {}

  /**
   * Answer the client now.
   *
   * @param status  HTTP status, 400..599
   * @param error   the OpenAI-format body
   * @param headers extra response headers, e.g. {@code Retry-After} or {@code WWW-Authenticate}
   */
  record Reject(int status, ApiError error, Map<String, String> headers) implements Decision {

    public Reject {
      if (status < 400 || status > 599) {
        throw new IllegalArgumentException("a rejection needs a 4xx or 5xx status, not " + status);
      }
      headers = Map.copyOf(headers);
    }

    public Reject(int status, ApiError error) {
      this(status, error, Map.of());
    }
  }

  static Future<Decision> reject(int status, ApiError error) {
    return Future.succeededFuture(new Reject(status, error));
  }
}

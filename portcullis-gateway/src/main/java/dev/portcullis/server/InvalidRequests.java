package dev.portcullis.server;

import dev.portcullis.observe.GatewayMetrics;
import dev.portcullis.observe.RequestIds;
import dev.portcullis.pipeline.ApiError;
import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Answers requests the HTTP decoder could not read (headers or request line too long, malformed): 431, 414 or 400
 * with an OpenAI-style error body and {@code Connection: close}, then closes. Vert.x's own handler closes without
 * saying so, and a client that pooled the connection then fails its next request on it.
 */
final class InvalidRequests implements Handler<HttpServerRequest> {

  private final String hsts;
  private final GatewayMetrics metrics;

  InvalidRequests(String hsts, GatewayMetrics metrics) {
    this.hsts = hsts;
    this.metrics = metrics;
  }

  @Override
  public void handle(HttpServerRequest request) {
    Throwable cause = request.decoderResult() == null ? null : request.decoderResult().cause();
    String message = cause instanceof TooLongFrameException && cause.getMessage() != null ? cause.getMessage() : "";
    int status;
    String reason;
    ApiError error;
    if (cause instanceof StrictRequestDecoder.Refusal refusal) {
      status = refusal.status();
      reason = refusal.reason();
      error = refusal.error();
    } else if (message.startsWith("HTTP header is larger than")) {
      status = 431;
      reason = "headers_too_large";
      error = ApiError.invalidRequest("The request's headers are too large.", null, reason);
    } else if (message.startsWith("An HTTP line is larger than")) {
      status = 414;
      reason = "uri_too_long";
      error = ApiError.invalidRequest("The request line is too long.", null, reason);
    } else {
      status = 400;
      reason = "malformed_request";
      error = ApiError.invalidRequest("The request is not valid HTTP.", null, reason);
    }
    metrics.transportRejected(reason);
    HttpServerResponse response = request.response();
    SecurityHeaders.apply(response.headers(), hsts, RequestIds.create());
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CONNECTION, "close").end(error.toJson()).onComplete(v -> request.connection().close());
  }
}

package dev.portcullis.pipeline;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.util.Map;

/**
 * An endpoint the gateway answers itself on the public listener, outside the OpenAI request path (the OAuth token
 * endpoint, JWKS and discovery documents). It gets security headers, a request id, the body cap and an access-log
 * line like every request, but no pipeline stages: it authenticates its callers itself if it needs to.
 */
public interface PublicEndpoint {

  /** Largest body any public endpoint accepts. */
  int MAX_BODY_BYTES = 64 * 1024;

  /** HTTP method, e.g. {@code POST}. */
  String method();

  /** Exact path, e.g. {@code /oauth2/token}. */
  String path();

  /** Name for logs and metrics, e.g. {@code oauth-token}. */
  String name();

  /** Answers one request; runs on the event loop, so blocking work goes elsewhere. Must not fail the future. */
  Future<Response> handle(Request request);

  /** What the endpoint sees of a request. */
  record Request(MultiMap headers, Buffer body, String clientAddress, boolean secure,
      java.util.List<java.security.cert.Certificate> peerCertificates) {}

  /** The answer. */
  record Response(int status, String contentType, Buffer body, Map<String, String> headers) {

    public Response {
      headers = Map.copyOf(headers);
    }

    public static Response json(int status, String json) {
      return new Response(status, "application/json", Buffer.buffer(json), Map.of());
    }
  }
}

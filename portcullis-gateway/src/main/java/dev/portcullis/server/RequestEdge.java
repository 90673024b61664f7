package dev.portcullis.server;

import dev.portcullis.pipeline.ApiError;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;

/**
 * What a request's line and headers must satisfy before it is routed, whatever the protocol (ADR 0009): a target
 * path (HTTP/2 {@code CONNECT} has none: the gateway is no tunnel), a method the gateway serves somewhere, header
 * values without CR, LF or NUL (HTTP/2 carries them in binary frames, RFC 9113 §8.2.1), and at most one of each
 * credential header the identify stage reads. HTTP/1.1 framing is checked earlier, by {@link StrictRequestDecoder}.
 */
final class RequestEdge {

  /** A refusal: status, body, the reason counted in {@code portcullis_transport_rejections_total}. */
  record Refusal(int status, ApiError error, String reason) {}

  /**
   * Headers that must appear at most once: the credentials the identify stage reads (an HMAC signature travels in
   * {@code Authorization}), and the ones that say what the body and target are. A repeated one would let two
   * parsers (ours, the upstream's, a proxy's) each pick a different value.
   */
  private static final String[] SINGLE = {"authorization", "x-api-key", "api-key", "host", "content-length",
      "content-type"};

  private static final Refusal CONNECT = new Refusal(405, ApiError.invalidRequest(
      "Method CONNECT is not allowed: this gateway is not a proxy.", null, "method_not_allowed"), "method");
  private static final Refusal NO_PATH = new Refusal(400, ApiError.invalidRequest(
      "The request has no path.", null, "invalid_request_target"), "bad_target");
  private static final Refusal BAD_VALUE = new Refusal(400, ApiError.invalidRequest(
      "A request header value contains a forbidden character (CR, LF or NUL).", null, "invalid_header_value"),
      "bad_header_value");
  private static final Map<String, Refusal> REPEATED = repeatedRefusals();

  private RequestEdge() {}

  /** The refusal for this request, or null when it may be routed. */
  static Refusal check(HttpServerRequest req) {
    if (req.method() == HttpMethod.CONNECT) {
      return CONNECT;
    }
    String path = req.path();
    if (path == null || path.isEmpty() || path.charAt(0) != '/') {
      return NO_PATH;
    }
    var headers = req.headers();
    for (String name : SINGLE) {
      if (headers.contains(name) && headers.getAll(name).size() > 1) {
        return REPEATED.get(name);
      }
    }
    for (Map.Entry<String, String> header : headers) {
      if (!validValue(header.getValue())) {
        return BAD_VALUE;
      }
    }
    return null;
  }

  /** True for methods some public path serves; any other method gets 405 wherever it is sent. */
  static boolean servedSomewhere(HttpMethod method) {
    return method == HttpMethod.GET || method == HttpMethod.POST;
  }

  private static boolean validValue(String value) {
    for (int i = 0, n = value.length(); i < n; i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n' || c == 0) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, Refusal> repeatedRefusals() {
    java.util.HashMap<String, Refusal> refusals = new java.util.HashMap<>();
    for (String name : SINGLE) {
      refusals.put(name, new Refusal(400, ApiError.invalidRequest("The request carries more than one " + name
          + " header.", null, "duplicate_header"), "duplicate_header"));
    }
    return Map.copyOf(refusals);
  }
}

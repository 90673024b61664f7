package dev.portcullis.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;

/** RFC 9457 problem details, the admin API's only error format. */
public final class Problems {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Problems() {}

  public static void send(HttpServerResponse res, int status, String title, String detail) {
    send(res, status, title, detail, List.of());
  }

  /** A problem with a list of specific errors (each naming what is wrong), e.g. for validation. */
  public static void send(HttpServerResponse res, int status, String title, String detail, List<String> errors) {
    if (res.ended() || res.headWritten()) {
      return;
    }
    ObjectNode body = JSON.createObjectNode().put("type", "about:blank").put("title", title).put("status", status)
        .put("detail", detail);
    if (!errors.isEmpty()) {
      errors.forEach(body.putArray("errors")::add);
    }
    res.setStatusCode(status).putHeader("content-type", "application/problem+json").end(body.toString());
  }
}

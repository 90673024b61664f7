package dev.portcullis.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.config.GatewayConfig.AdminConfig;
import dev.portcullis.config.LiveConfig.ReloadResult;
import dev.portcullis.observe.GatewayMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The admin listener: {@code GET /metrics} (Prometheus), {@code GET /healthz} (the process runs),
 * {@code GET /readyz} (listening and not draining), {@code POST /admin/reload}. Admin actions need the configured
 * admin token as a bearer token, or, when none is configured, a loopback client. Errors are
 * {@code application/problem+json} (RFC 9457).
 */
final class AdminServer {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Vertx vertx;
  private final AdminConfig config;
  private final GatewayMetrics metrics;
  private final BooleanSupplier ready;
  private final Supplier<ReloadResult> reload;
  private HttpServer server;

  AdminServer(Vertx vertx, AdminConfig config, GatewayMetrics metrics, BooleanSupplier ready,
      Supplier<ReloadResult> reload) {
    this.vertx = vertx;
    this.config = config;
    this.metrics = metrics;
    this.ready = ready;
    this.reload = reload;
  }

  Future<Integer> start() {
    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port())
        .setMaxHeaderSize(8192).setIdleTimeout(60));
    server.requestHandler(this::handle);
    return server.listen().map(HttpServer::actualPort);
  }

  Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void handle(HttpServerRequest req) {
    HttpServerResponse res = req.response();
    res.putHeader("cache-control", "no-store").putHeader("x-content-type-options", "nosniff");
    String path = req.path();
    String method = req.method().name();
    switch (path) {
      case "/healthz" -> status(res, 200, "ok");
      case "/readyz" -> {
        boolean isReady = ready.getAsBoolean();
        status(res, isReady ? 200 : 503, isReady ? "ready" : "not ready");
      }
      case "/metrics" -> vertx.executeBlocking(metrics::scrape, false).onComplete(ar -> {
        if (ar.succeeded()) {
          res.putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8").end(ar.result());
        } else {
          problem(res, 500, "Metrics unavailable", "The metrics registry could not be read.");
        }
      });
      case "/admin/reload" -> {
        if (!method.equals("POST")) {
          res.putHeader(HttpHeaders.ALLOW, "POST");
          problem(res, 405, "Method not allowed", "Use POST to reload the configuration.");
        } else if (!authorised(req)) {
          res.putHeader("www-authenticate", "Bearer realm=\"portcullis-admin\"");
          problem(res, 401, "Unauthorized", "Admin actions need the admin token.");
        } else {
          vertx.executeBlocking(reload::get, false).onComplete(ar -> {
            if (ar.failed()) {
              problem(res, 500, "Reload failed", "The configuration could not be reloaded.");
              return;
            }
            ObjectNode body = JSON.createObjectNode();
            switch (ar.result()) {
              case ReloadResult.Applied a -> {
                body.put("result", "applied");
                body.putPOJO("restart_needed_for", a.restartNeeded());
              }
              case ReloadResult.Unchanged u -> body.put("result", "unchanged");
              case ReloadResult.Rejected r -> {
                body.put("type", "about:blank").put("title", "Invalid configuration").put("status", 422)
                    .put("detail", "The configuration file is invalid; the previous configuration stays in effect.");
                body.putPOJO("errors", r.problems());
                res.setStatusCode(422).putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                    .end(body.toString());
                return;
              }
            }
            res.putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toString());
          });
        }
      }
      default -> problem(res, 404, "Not found", "No admin resource at " + path + ".");
    }
  }

  private boolean authorised(HttpServerRequest req) {
    if (config.token() == null) {
      return isLoopback(req.remoteAddress() == null ? null : req.remoteAddress().hostAddress());
    }
    String header = req.getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, config.token().getBytes(StandardCharsets.UTF_8));
  }

  private static boolean isLoopback(String address) {
    if (address == null) {
      return false;
    }
    try {
      return InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static void status(HttpServerResponse res, int code, String status) {
    res.setStatusCode(code).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end("{\"status\":\"" + status + "\"}");
  }

  private static void problem(HttpServerResponse res, int status, String title, String detail) {
    ObjectNode body = JSON.createObjectNode().put("type", "about:blank").put("title", title).put("status", status)
        .put("detail", detail);
    res.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json").end(body.toString());
  }
}

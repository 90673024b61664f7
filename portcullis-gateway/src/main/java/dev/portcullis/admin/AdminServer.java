package dev.portcullis.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.config.GatewayConfig.AdminConfig;
import dev.portcullis.config.LiveConfig.ReloadResult;
import dev.portcullis.events.LoggingSecurityEventSink;
import dev.portcullis.events.SecurityEventSink;
import dev.portcullis.observe.GatewayMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The admin listener. Open: {@code GET /healthz} (the process runs), {@code GET /readyz} (listening, not draining),
 * {@code GET /metrics} (Prometheus). Authenticated: {@code POST /admin/reload} (admin role) and everything under
 * {@code /admin/v1/} that features mount.
 */
public final class AdminServer {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Admin request bodies are small JSON documents. */
  private static final long MAX_BODY_BYTES = 64 * 1024;

  /** The admin API's OpenAPI document; a test checks it lists every mounted route. */
  static final String OPENAPI = openapi();

  private final Vertx vertx;
  private final AdminConfig config;
  private final GatewayMetrics metrics;
  private final BooleanSupplier ready;
  private final Supplier<ReloadResult> reload;
  private final List<AdminRoutes> features;
  private final AdminAudit audit;
  private HttpServer server;
  private Router router;

  public AdminServer(Vertx vertx, AdminConfig config, GatewayMetrics metrics, BooleanSupplier ready,
      Supplier<ReloadResult> reload, List<AdminRoutes> features) {
    this(vertx, config, metrics, ready, reload, features, new LoggingSecurityEventSink());
  }

  /** @param events receives a security event for every admin change and every refused admin call */
  public AdminServer(Vertx vertx, AdminConfig config, GatewayMetrics metrics, BooleanSupplier ready,
      Supplier<ReloadResult> reload, List<AdminRoutes> features, SecurityEventSink events) {
    this.audit = new AdminAudit(events, Clock.systemUTC());
    this.vertx = vertx;
    this.config = config;
    this.metrics = metrics;
    this.ready = ready;
    this.reload = reload;
    this.features = List.copyOf(features);
  }

  public Future<Integer> start() {
    router = Router.router(vertx);
    router.route().handler(ctx -> {
      ctx.response().putHeader("cache-control", "no-store").putHeader("x-content-type-options", "nosniff");
      ctx.next();
    });
    router.get("/healthz").handler(ctx -> status(ctx, 200, "ok"));
    router.get("/readyz").handler(ctx -> {
      boolean isReady = ready.getAsBoolean();
      status(ctx, isReady ? 200 : 503, isReady ? "ready" : "not ready");
    });
    router.get("/metrics").handler(this::metrics);
    AdminAccess access = new AdminAccess(() -> config);
    router.route("/admin/*").handler(audit::handle);
    router.route("/admin/*").handler(access::authenticate);
    router.route("/admin/*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
    router.post("/admin/reload").handler(this::reload);
    router.get("/admin/v1/openapi.yaml").handler(ctx -> ctx.response().putHeader("content-type", "application/yaml")
        .end(OPENAPI));
    features.forEach(f -> f.mount(router));
    router.route().last().handler(ctx -> Problems.send(ctx.response(), 404, "Not found",
        "No admin resource at " + ctx.request().path() + "."));
    router.errorHandler(405, ctx -> Problems.send(ctx.response(), 405, "Method not allowed",
        "This resource does not accept " + ctx.request().method() + "."));
    router.errorHandler(413, ctx -> Problems.send(ctx.response(), 413, "Request too large",
        "Admin request bodies are limited to " + MAX_BODY_BYTES + " bytes."));
    router.errorHandler(500, ctx -> Problems.send(ctx.response(), 500, "Internal error",
        "The admin API failed; see the gateway log."));
    // HTTP/1.1 only: an h2c upgrade would end the HTTP/1.1 exchange before its answer, and the security event of
    // an admin call is written when its exchange ends
    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port())
        .setMaxHeaderSize(8192).setIdleTimeout(60).setHttp2ClearTextEnabled(false));
    server.requestHandler(router);
    return server.listen().map(HttpServer::actualPort);
  }

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private static String openapi() {
    try (var in = AdminServer.class.getResourceAsStream("/admin/openapi.yaml")) {
      if (in == null) {
        throw new IllegalStateException("admin/openapi.yaml is missing from the jar");
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Method and path of every admin route, for the document check. */
  Router router() {
    return router;
  }

  private void metrics(RoutingContext ctx) {
    vertx.executeBlocking(metrics::scrape, false).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(ar.result());
      } else {
        Problems.send(ctx.response(), 500, "Metrics unavailable", "The metrics registry could not be read.");
      }
    });
  }

  private void reload(RoutingContext ctx) {
    AdminAudit.describe(ctx, "config.reload", null, "config");
    if (!AdminAccess.mayAdminister(ctx)) {
      return;
    }
    try {
      AdminBody.parse(ctx);
    } catch (AdminBody.Malformed e) {
      e.send(ctx);
      return;
    }
    vertx.executeBlocking(reload::get, false).onComplete(ar -> {
      if (ar.failed()) {
        Problems.send(ctx.response(), 500, "Reload failed", "The configuration could not be reloaded.");
        return;
      }
      ObjectNode body = JSON.createObjectNode();
      switch (ar.result()) {
        case ReloadResult.Applied a -> {
          body.put("result", "applied");
          a.restartNeeded().forEach(body.putArray("restart_needed_for")::add);
        }
        case ReloadResult.Unchanged u -> body.put("result", "unchanged");
        case ReloadResult.Rejected r -> {
          Problems.send(ctx.response(), 422, "Invalid configuration",
              "The configuration file is invalid; the previous configuration stays in effect.", r.problems());
          return;
        }
      }
      ctx.response().putHeader("content-type", "application/json").end(body.toString());
    });
  }

  private static void status(RoutingContext ctx, int code, String status) {
    ctx.response().setStatusCode(code).putHeader("content-type", "application/json")
        .end("{\"status\":\"" + status + "\"}");
  }
}

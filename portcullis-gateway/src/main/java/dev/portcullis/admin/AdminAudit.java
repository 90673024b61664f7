package dev.portcullis.admin;

import dev.portcullis.events.SecurityEvent;
import dev.portcullis.events.SecurityEventSink;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns admin API calls into security events: every call that may change something (any method but GET, HEAD and
 * OPTIONS), whatever its outcome, and every call refused with 401 or 403. Handlers name what they do with
 * {@link #describe} before they check anything that may refuse; the event is written once the answer has been sent
 * (or the caller went away). It holds no body, so no secret can reach it.
 */
public final class AdminAudit {

  private static final Logger LOG = LoggerFactory.getLogger(AdminAudit.class);
  private static final String ACTION = "portcullis.admin.action";
  private static final String TENANT = "portcullis.admin.tenant";
  private static final String TARGET = "portcullis.admin.target";
  private static final String REASON = "portcullis.admin.reason";
  /** A target taken from a request path is cut to this length. */
  private static final int MAX_PATH = 200;

  private final SecurityEventSink sink;
  private final Clock clock;

  public AdminAudit(SecurityEventSink sink, Clock clock) {
    this.sink = sink;
    this.clock = clock;
  }

  /** Names the action a handler performs, the tenant it concerns (or null) and its target ({@code kind:id}). */
  public static void describe(RoutingContext ctx, String action, String tenant, String target) {
    ctx.put(ACTION, action);
    ctx.put(TENANT, tenant);
    ctx.put(TARGET, target);
  }

  /** Replaces the target once it is known (e.g. the id of a created key). */
  public static void target(RoutingContext ctx, String target) {
    ctx.put(TARGET, target);
  }

  /** Says why the call is being refused: a short fixed code, never caller input. */
  public static void reason(RoutingContext ctx, String reason) {
    ctx.put(REASON, reason);
  }

  /**
   * A route handler for everything under {@code /admin/}: arranges for the event, then passes on. The event is
   * written when the answer has been sent; a caller that goes away first leaves an event with outcome failed and
   * status 499 (what it asked for may still have been done).
   */
  void handle(RoutingContext ctx) {
    ctx.addEndHandler(ended -> record(ctx, ended.succeeded()));
    ctx.next();
  }

  private void record(RoutingContext ctx, boolean answered) {
    int status = answered ? ctx.response().getStatusCode() : 499;
    HttpMethod method = ctx.request().method();
    boolean read = method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS;
    if (read && status != 401 && status != 403) {
      return;
    }
    AdminCaller caller = AdminAccess.callerOf(ctx);
    String action = ctx.get(ACTION);
    String target = ctx.get(TARGET);
    if (action == null) {
      action = caller == null ? "admin.authenticate" : "admin.request";
      target = "path:" + bounded(ctx.request().path());
    }
    String client = ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress();
    SecurityEvent event = new SecurityEvent(clock.instant(), action, caller == null ? null : caller.name(),
        caller == null ? null : caller.role().configName(), ctx.get(TENANT), target,
        answered ? SecurityEvent.Outcome.ofStatus(status) : SecurityEvent.Outcome.FAILED, status, ctx.get(REASON),
        client);
    try {
      sink.accept(event);
    } catch (RuntimeException e) {
      LOG.warn("a security event sink failed ({})", e.getClass().getSimpleName());
    }
  }

  private static String bounded(String path) {
    return path == null ? "" : path.length() <= MAX_PATH ? path : path.substring(0, MAX_PATH);
  }
}

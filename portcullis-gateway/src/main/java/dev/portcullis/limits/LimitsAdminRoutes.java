package dev.portcullis.limits;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.admin.AdminAccess;
import dev.portcullis.admin.AdminRoutes;
import dev.portcullis.admin.Problems;
import dev.portcullis.auth.IdentityRuntime;
import dev.portcullis.identity.store.Tenant;
import dev.portcullis.limit.LimitEngine;
import dev.portcullis.limit.LimitRequest;
import dev.portcullis.limit.LimitState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code GET /admin/v1/tenants/{tenant}/usage[?principal=…][&key=…][&model=…]}: every limit and budget that applies
 * to that tenant (and principal, key, model), with what is used and left now, without charging anything.
 */
public final class LimitsAdminRoutes implements AdminRoutes {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Vertx vertx;
  private final LimitEngine engine;
  private final IdentityRuntime identity;

  /** {@code identity} may be null (no identity store): the default plan applies then. */
  public LimitsAdminRoutes(Vertx vertx, LimitEngine engine, IdentityRuntime identity) {
    this.vertx = vertx;
    this.engine = engine;
    this.identity = identity;
  }

  @Override
  public void mount(Router router) {
    router.get("/admin/v1/tenants/:tenant/usage").handler(this::usage);
  }

  private void usage(RoutingContext ctx) {
    String tenant = ctx.pathParam("tenant");
    if (!AdminAccess.mayRead(ctx, tenant)) {
      return;
    }
    String principal = ctx.queryParams().get("principal");
    String key = ctx.queryParams().get("key");
    String model = ctx.queryParams().get("model");
    vertx.executeBlocking(() -> plan(tenant, principal), false).compose(plan -> {
      if (plan.isEmpty()) {
        return Future.<ObjectNode>succeededFuture(null);
      }
      LimitRequest request = LimitRequest.builder().tenant(tenant)
          .principal(principal == null ? null : tenant + "/" + principal).keyId(key).model(model)
          .plan(plan.get()).promptTokens(0).maxOutputTokens(0).build();
      return Future.fromCompletionStage(engine.usage(request)).map(status -> {
        ObjectNode body = JSON.createObjectNode().put("tenant", tenant).put("plan", plan.get());
        ArrayNode limits = body.putArray("limits");
        for (LimitState s : status.states()) {
          ObjectNode n = limits.addObject().put("name", s.name())
              .put("unit", s.unit().name().toLowerCase(Locale.ROOT)).put("limit", s.limit())
              .put("remaining", s.remaining()).put("used", Math.max(0, s.limit() - s.remaining()))
              .put("reset_seconds", s.reset() == null ? 0 : s.reset().toSeconds());
          if (s.window() != null) {
            n.put("window_seconds", s.window().toSeconds());
          }
        }
        return body;
      });
    }).onComplete(ar -> {
      if (ar.failed()) {
        Problems.send(ctx.response(), 503, "Usage unavailable", "The limit store could not be read.");
      } else if (ar.result() == null) {
        Problems.send(ctx.response(), 404, "Not found", "No such tenant or principal.");
      } else {
        ctx.response().putHeader("content-type", "application/json").end(ar.result().toString());
      }
    });
  }

  /** The plan that applies: the principal's own, else the tenant's; empty when either does not exist. */
  private Optional<String> plan(String tenant, String principal) {
    if (identity == null) {
      return Optional.of(engine.config().defaultPlan());
    }
    Optional<Tenant> t = identity.store().findTenant(tenant);
    if (t.isEmpty()) {
      return Optional.empty();
    }
    if (principal == null) {
      return Optional.of(t.get().plan());
    }
    return identity.store().findPrincipal(tenant, principal)
        .map(p -> p.plan() != null ? p.plan() : t.get().plan());
  }
}

package dev.portcullis.limits;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.admin.AdminAccess;
import dev.portcullis.admin.AdminAudit;
import dev.portcullis.admin.AdminRoutes;
import dev.portcullis.admin.Problems;
import dev.portcullis.auth.IdentityRuntime;
import dev.portcullis.identity.store.ApiKeyRecord;
import dev.portcullis.identity.store.Tenant;
import dev.portcullis.limit.LimitEngine;
import dev.portcullis.limit.LimitRequest;
import dev.portcullis.limit.LimitState;
import dev.portcullis.limit.RateLimitStatus;
import dev.portcullis.limit.budget.CalendarPeriod;
import dev.portcullis.limit.budget.UsageLedger;
import dev.portcullis.limit.budget.UsageLedger.Kind;
import dev.portcullis.limit.budget.UsageLedger.Subject;
import dev.portcullis.limit.budget.UsageLedger.UsageTotals;
import dev.portcullis.limit.config.Algorithm;
import dev.portcullis.limit.config.LimitsConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code GET /admin/v1/tenants/{tenant}/usage[?principal=…][&key=…][&model=…]}: every limit and budget that applies
 * to that tenant (and principal, key, model), with what is used and left now, without charging anything; and the
 * usage ledger's totals (requests, tokens, spend) of the tenant, principal and key for the current day and month in
 * the tenant's time zone. {@code key} is a limit key (see {@link LimitKeys}): an API key's id, or {@code client:ID} for
 * an OAuth client. A key must belong to the tenant (and to the principal, when both are named); its limits
 * are those of the plan in force for it (the key's own plan, else its principal's, else the tenant's), and its
 * principal's.
 */
public final class LimitsAdminRoutes implements AdminRoutes {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Vertx vertx;
  private final LimitEngine engine;
  private final UsageLedger ledger;
  private final IdentityRuntime identity;
  private final InstantSource clock;

  /** {@code identity} may be null (no identity store): the default plan applies then. */
  public LimitsAdminRoutes(Vertx vertx, LimitEngine engine, UsageLedger ledger, IdentityRuntime identity,
      InstantSource clock) {
    this.vertx = vertx;
    this.engine = engine;
    this.ledger = ledger;
    this.identity = identity;
    this.clock = clock;
  }

  @Override
  public void mount(Router router) {
    router.get("/admin/v1/tenants/:tenant/usage").handler(this::usage);
  }

  private void usage(RoutingContext ctx) {
    String tenant = ctx.pathParam("tenant");
    AdminAudit.describe(ctx, "usage.read", tenant, "tenant:" + tenant);
    if (!AdminAccess.mayRead(ctx, tenant)) {
      return;
    }
    String asked = ctx.queryParams().get("principal");
    String key = ctx.queryParams().get("key");
    String model = ctx.queryParams().get("model");
    vertx.executeBlocking(() -> whom(tenant, asked, key), false).compose(found -> {
      if (found.isEmpty()) {
        return Future.<ObjectNode>succeededFuture(null);
      }
      String plan = found.get().plan();
      String principal = found.get().principal();
      LimitRequest request = LimitRequest.builder().tenant(tenant)
          .principal(principal == null ? null : tenant + "/" + principal).keyId(key).model(model)
          .plan(plan).promptTokens(0).maxOutputTokens(0).build();
      LimitsConfig config = engine.config();
      ZoneId zone = config.zoneOf(tenant);
      Instant now = clock.instant();
      List<Subject> subjects = new ArrayList<>(List.of(new Subject(Kind.TENANT, tenant)));
      if (principal != null) {
        subjects.add(new Subject(Kind.PRINCIPAL, tenant + "/" + principal));
      }
      if (key != null) {
        subjects.add(new Subject(Kind.KEY, key));
      }
      CalendarPeriod day = CalendarPeriod.of(Algorithm.DAILY, now, zone);
      CalendarPeriod month = CalendarPeriod.of(Algorithm.MONTHLY, now, zone);
      List<Future<UsageTotals>> reads = new ArrayList<>();
      for (Subject subject : subjects) {
        reads.add(Future.fromCompletionStage(ledger.totals(subject, day)));
        reads.add(Future.fromCompletionStage(ledger.totals(subject, month)));
      }
      Future<RateLimitStatus> limits = Future.fromCompletionStage(engine.usage(request));
      return Future.all(limits, Future.all(reads)).map(done -> {
        ObjectNode body = JSON.createObjectNode().put("tenant", tenant).put("plan", plan);
        ArrayNode states = body.putArray("limits");
        for (LimitState s : limits.result().states()) {
          ObjectNode n = states.addObject().put("name", s.name())
              .put("unit", s.unit().name().toLowerCase(Locale.ROOT)).put("limit", s.limit())
              .put("remaining", s.remaining()).put("used", Math.max(0, s.limit() - s.remaining()))
              .put("reset_seconds", s.reset() == null ? 0 : s.reset().toSeconds());
          if (s.window() != null) {
            n.put("window_seconds", s.window().toSeconds());
          }
        }
        ObjectNode totals = body.putObject("totals").put("time_zone", zone.getId())
            .put("currency", config.prices().currency());
        for (int i = 0; i < subjects.size(); i++) {
          Subject subject = subjects.get(i);
          ObjectNode n = totals.putObject(subject.kind().name().toLowerCase(Locale.ROOT))
              .put("id", subject.kind() == Kind.PRINCIPAL ? principal : subject.id());
          period(n.putObject("day"), day, reads.get(2 * i).result());
          period(n.putObject("month"), month, reads.get(2 * i + 1).result());
        }
        return body;
      });
    }).onComplete(ar -> {
      if (ar.failed()) {
        Problems.send(ctx.response(), 503, "Usage unavailable", "The limit store or the usage ledger could not be read.");
      } else if (ar.result() == null) {
        Problems.send(ctx.response(), 404, "Not found", "No such tenant, principal or key of the tenant.");
      } else {
        ctx.response().putHeader("content-type", "application/json").end(ar.result().toString());
      }
    });
  }

  private static void period(ObjectNode n, CalendarPeriod period, UsageTotals totals) {
    n.put("period", period.label().substring(1)).put("starts_at", period.start().toString())
        .put("ends_at", period.end().toString()).put("requests", totals.requests()).put("tokens", totals.tokens())
        .put("spend_micros", totals.spendMicros());
  }

  /** Whom a usage query is about: the principal (the key's, when a key is named) and the plan in force for it. */
  private record Whom(String principal, String plan) {}

  /**
   * The plan in force, as the limit stage sees it: the key's own, else its principal's, else the tenant's. Empty
   * when the tenant or principal does not exist, the key is not the tenant's, or the key is not the principal's.
   */
  private Optional<Whom> whom(String tenant, String principal, String key) {
    if (identity == null) {
      return Optional.of(new Whom(principal, engine.config().defaultPlan()));
    }
    Optional<Tenant> t = identity.store().findTenant(tenant);
    if (t.isEmpty()) {
      return Optional.empty();
    }
    String keyPlan = null;
    String owner = principal;
    if (key != null && key.startsWith(LimitKeys.OAUTH_CLIENT)) {
      // an OAuth client's limit key (see LimitKeys): its tokens carry its principal's plan
      var c = identity.store().findOAuthClient(key.substring(LimitKeys.OAUTH_CLIENT.length()))
          .filter(r -> r.tenantId().equals(tenant));
      if (c.isEmpty() || principal != null && !principal.equals(c.get().principalId())) {
        return Optional.empty();
      }
      owner = c.get().principalId();
    } else if (key != null) {
      Optional<ApiKeyRecord> k = identity.store().findApiKey(key).filter(r -> r.tenantId().equals(tenant));
      if (k.isEmpty() || principal != null && !principal.equals(k.get().principalId())) {
        return Optional.empty();
      }
      keyPlan = k.get().plan();
      owner = k.get().principalId();
    }
    if (owner == null) {
      return Optional.of(new Whom(null, t.get().plan()));
    }
    String own = keyPlan;
    return identity.store().findPrincipal(tenant, owner).map(p -> new Whom(p.id(),
        own != null ? own : p.plan() != null ? p.plan() : t.get().plan()));
  }
}

package dev.portcullis.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.admin.AdminAccess;
import dev.portcullis.admin.AdminCaller;
import dev.portcullis.admin.AdminRoutes;
import dev.portcullis.admin.Problems;
import dev.portcullis.identity.apikey.ApiKeyService;
import dev.portcullis.identity.apikey.IssuedKey;
import dev.portcullis.identity.store.ApiKeyRecord;
import dev.portcullis.identity.store.ConflictException;
import dev.portcullis.identity.store.Plan;
import dev.portcullis.identity.store.PrincipalKind;
import dev.portcullis.identity.store.StoreException;
import dev.portcullis.identity.store.StoredPrincipal;
import dev.portcullis.identity.store.Tenant;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API for identity, under {@code /admin/v1/}: plans, tenants, principals and API keys. A new or rotated
 * key's secret appears in exactly one response and nowhere else. Everything below a tenant is scoped: a
 * {@code tenant-admin} sees and changes only its own tenant, and a key or principal of another tenant answers 404
 * as if it did not exist.
 */
public final class IdentityAdminRoutes implements AdminRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(IdentityAdminRoutes.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_LIST = 1000;

  private final Vertx vertx;
  private final IdentityRuntime identity;
  private final Clock clock;

  public IdentityAdminRoutes(Vertx vertx, IdentityRuntime identity, Clock clock) {
    this.vertx = vertx;
    this.identity = identity;
    this.clock = clock;
  }

  /** A request the caller got wrong: 422 with this message. */
  private static final class Invalid extends RuntimeException {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  /** A resource that does not exist (or that the caller may not know exists): 404. */
  private static final class Missing extends RuntimeException {
    Missing(String message) {
      super(message, null, false, false);
    }
  }

  @Override
  public void mount(Router router) {
    router.get("/admin/v1/plans").handler(ctx -> run(ctx, 200, () -> plans()));
    router.post("/admin/v1/plans").handler(ctx -> {
      if (AdminAccess.mayAdminister(ctx)) {
        run(ctx, 201, () -> createPlan(body(ctx)));
      }
    });
    router.get("/admin/v1/tenants").handler(ctx -> run(ctx, 200, () -> tenants(AdminAccess.callerOf(ctx))));
    router.post("/admin/v1/tenants").handler(ctx -> {
      if (AdminAccess.mayAdminister(ctx)) {
        run(ctx, 201, () -> createTenant(body(ctx)));
      }
    });
    router.get("/admin/v1/tenants/:tenant").handler(ctx -> {
      String tenant = ctx.pathParam("tenant");
      if (AdminAccess.mayRead(ctx, tenant)) {
        run(ctx, 200, () -> tenant(identity.store().findTenant(tenant).orElseThrow(() -> noTenant(tenant))));
      }
    });
    router.get("/admin/v1/tenants/:tenant/principals").handler(ctx -> {
      String tenant = ctx.pathParam("tenant");
      if (AdminAccess.mayRead(ctx, tenant)) {
        run(ctx, 200, () -> principals(tenant));
      }
    });
    router.post("/admin/v1/tenants/:tenant/principals").handler(ctx -> {
      String tenant = ctx.pathParam("tenant");
      if (AdminAccess.mayWrite(ctx, tenant)) {
        run(ctx, 201, () -> createPrincipal(tenant, body(ctx)));
      }
    });
    router.get("/admin/v1/tenants/:tenant/keys").handler(ctx -> {
      String tenant = ctx.pathParam("tenant");
      if (AdminAccess.mayRead(ctx, tenant)) {
        run(ctx, 200, () -> keys(tenant));
      }
    });
    router.post("/admin/v1/tenants/:tenant/keys").handler(ctx -> {
      String tenant = ctx.pathParam("tenant");
      if (AdminAccess.mayWrite(ctx, tenant)) {
        run(ctx, 201, () -> createKey(tenant, body(ctx)));
      }
    });
    router.get("/admin/v1/tenants/:tenant/keys/:key").handler(ctx -> {
      String tenant = ctx.pathParam("tenant");
      if (AdminAccess.mayRead(ctx, tenant)) {
        run(ctx, 200, () -> key(ownedKey(tenant, ctx.pathParam("key"))));
      }
    });
    router.post("/admin/v1/tenants/:tenant/keys/:key/rotate").handler(ctx -> {
      String tenant = ctx.pathParam("tenant");
      if (AdminAccess.mayWrite(ctx, tenant)) {
        run(ctx, 201, () -> rotate(tenant, ctx.pathParam("key"), body(ctx)));
      }
    });
    router.post("/admin/v1/tenants/:tenant/oauth-clients").handler(ctx -> {
      String tenant = ctx.pathParam("tenant");
      if (AdminAccess.mayWrite(ctx, tenant)) {
        run(ctx, 201, () -> createClient(tenant, body(ctx)));
      }
    });
    router.post("/admin/v1/tenants/:tenant/oauth-clients/:client/revoke").handler(ctx -> {
      String tenant = ctx.pathParam("tenant");
      if (AdminAccess.mayWrite(ctx, tenant)) {
        run(ctx, 200, () -> revokeClient(tenant, ctx.pathParam("client")));
      }
    });
    router.post("/admin/v1/tenants/:tenant/keys/:key/revoke").handler(ctx -> {
      String tenant = ctx.pathParam("tenant");
      if (AdminAccess.mayWrite(ctx, tenant)) {
        run(ctx, 200, () -> revoke(tenant, ctx.pathParam("key")));
      }
    });
  }

  /** Runs blocking store work on a worker and answers with its JSON, or with a problem. */
  private void run(RoutingContext ctx, int status, Callable<JsonNode> work) {
    vertx.executeBlocking(work, false).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
            .end(ar.result().toString());
        return;
      }
      Throwable e = ar.cause();
      switch (e) {
        case Invalid i -> Problems.send(ctx.response(), 422, "Invalid request", i.getMessage());
        case Missing m -> Problems.send(ctx.response(), 404, "Not found", m.getMessage());
        case ConflictException c -> Problems.send(ctx.response(), 409, "Conflict", c.getMessage());
        case IllegalArgumentException i -> Problems.send(ctx.response(), 422, "Invalid request", i.getMessage());
        case StoreException s -> {
          LOG.error("identity store failed", s);
          Problems.send(ctx.response(), 503, "Store unavailable", "The identity store could not be reached.");
        }
        default -> {
          LOG.error("admin request failed", e);
          Problems.send(ctx.response(), 500, "Internal error", "The admin API failed; see the gateway log.");
        }
      }
    });
  }

  // ---- plans and tenants ----

  private JsonNode plans() {
    ArrayNode list = JSON.createArrayNode();
    for (Plan p : identity.store().listPlans(MAX_LIST)) {
      list.addObject().put("name", p.name()).put("description", p.description());
    }
    return wrap(list);
  }

  private JsonNode createPlan(JsonNode body) {
    Plan plan = new Plan(required(body, "name"), body.path("description").asText(""));
    identity.store().createPlan(plan);
    return JSON.createObjectNode().put("name", plan.name()).put("description", plan.description());
  }

  private JsonNode tenants(AdminCaller caller) {
    ArrayNode list = JSON.createArrayNode();
    if (caller.canReadGlobal()) {
      identity.store().listTenants(MAX_LIST).forEach(t -> list.add(tenant(t)));
    } else {
      identity.store().findTenant(caller.tenant()).ifPresent(t -> list.add(tenant(t)));
    }
    return wrap(list);
  }

  private JsonNode createTenant(JsonNode body) {
    String plan = required(body, "plan");
    if (identity.store().findPlan(plan).isEmpty()) {
      throw new Invalid("plan '" + plan + "' does not exist; create it first (POST /admin/v1/plans)");
    }
    Tenant tenant = new Tenant(required(body, "id"), body.path("display_name").asText(body.path("id").asText()),
        plan, clock.instant(), false);
    identity.store().createTenant(tenant);
    return tenant(tenant);
  }

  private static ObjectNode tenant(Tenant t) {
    return JSON.createObjectNode().put("id", t.id()).put("display_name", t.displayName()).put("plan", t.plan())
        .put("created_at", t.createdAt().toString()).put("disabled", t.disabled());
  }

  private Missing noTenant(String tenant) {
    return new Missing("Tenant '" + tenant + "' does not exist.");
  }

  // ---- principals ----

  private JsonNode principals(String tenant) {
    requireTenant(tenant);
    ArrayNode list = JSON.createArrayNode();
    identity.store().listPrincipals(tenant, MAX_LIST).forEach(p -> list.add(principal(p)));
    return wrap(list);
  }

  private JsonNode createPrincipal(String tenant, JsonNode body) {
    requireTenant(tenant);
    String kindText = body.path("kind").asText("application").toUpperCase(Locale.ROOT);
    PrincipalKind kind;
    try {
      kind = PrincipalKind.valueOf(kindText);
    } catch (IllegalArgumentException e) {
      throw new Invalid("kind must be application or user");
    }
    Map<String, String> attributes = new HashMap<>();
    body.path("attributes").fields().forEachRemaining(e -> attributes.put(e.getKey(), e.getValue().asText()));
    String plan = body.hasNonNull("plan") ? body.get("plan").asText() : null;
    if (plan != null && identity.store().findPlan(plan).isEmpty()) {
      throw new Invalid("plan '" + plan + "' does not exist");
    }
    StoredPrincipal principal = new StoredPrincipal(required(body, "id"), tenant, kind, plan, attributes,
        clock.instant());
    identity.store().createPrincipal(principal);
    return principal(principal);
  }

  private static ObjectNode principal(StoredPrincipal p) {
    ObjectNode n = JSON.createObjectNode().put("id", p.id()).put("tenant", p.tenantId())
        .put("kind", p.kind().name().toLowerCase(Locale.ROOT)).put("plan", p.plan())
        .put("created_at", p.createdAt().toString());
    ObjectNode attributes = n.putObject("attributes");
    p.attributes().forEach(attributes::put);
    return n;
  }

  // ---- keys ----

  private JsonNode keys(String tenant) {
    requireTenant(tenant);
    ArrayNode list = JSON.createArrayNode();
    identity.store().listApiKeys(tenant, MAX_LIST).forEach(k -> list.add(key(k)));
    return wrap(list);
  }

  private JsonNode createKey(String tenant, JsonNode body) {
    requireTenant(tenant);
    String principal = required(body, "principal");
    if (identity.store().findPrincipal(tenant, principal).isEmpty()) {
      throw new Missing("Principal '" + principal + "' does not exist in tenant '" + tenant + "'.");
    }
    String environment = body.path("environment").asText("live");
    if (!identity.settings().environments().contains(environment)) {
      throw new Invalid("environment must be one of " + identity.settings().environments());
    }
    Set<String> scopes = new LinkedHashSet<>();
    body.path("scopes").forEach(s -> scopes.add(s.asText()));
    List<String> cidrs = new ArrayList<>();
    body.path("allowed_cidrs").forEach(c -> cidrs.add(c.asText()));
    Instant expires = expiry(body);
    String plan = body.hasNonNull("plan") ? body.get("plan").asText() : null;
    if (plan != null && identity.store().findPlan(plan).isEmpty()) {
      throw new Invalid("plan '" + plan + "' does not exist");
    }
    IssuedKey issued = identity.keys().create(new ApiKeyService.KeySpec(tenant, principal, environment, scopes,
        cidrs, expires, plan));
    return withSigningSecret(issued);
  }

  /** With signed requests on, a new key's signing secret is shown once, beside the key. */
  private JsonNode withSigningSecret(IssuedKey issued) {
    ObjectNode n = (ObjectNode) issued(issued);
    if (identity.settings().signedRequests()) {
      identity.keys().signingSecret(issued.record().id()).ifPresent(secret -> n.put("signing_secret", secret));
    }
    return n;
  }

  private JsonNode rotate(String tenant, String keyId, JsonNode body) {
    ownedKey(tenant, keyId);
    long grace = body.path("grace_seconds").asLong(3600);
    Optional<IssuedKey> fresh = identity.keys().rotate(keyId, Duration.ofSeconds(grace));
    return withSigningSecret(fresh.orElseThrow(() -> new Invalid("Key '" + keyId
        + "' is revoked or was already rotated.")));
  }

  private JsonNode revoke(String tenant, String keyId) {
    ownedKey(tenant, keyId);
    if (!identity.keys().revoke(keyId)) {
      throw new Invalid("Key '" + keyId + "' is already revoked.");
    }
    return key(identity.store().findApiKey(keyId).orElseThrow(() -> new Missing("Key vanished.")));
  }

  private JsonNode createClient(String tenant, JsonNode body) {
    if (identity.oauth() == null) {
      throw new Invalid("the built-in OAuth server is off; configure identity.oauth");
    }
    requireTenant(tenant);
    String principal = required(body, "principal");
    if (identity.store().findPrincipal(tenant, principal).isEmpty()) {
      throw new Missing("Principal '" + principal + "' does not exist in tenant '" + tenant + "'.");
    }
    Set<String> scopes = new LinkedHashSet<>();
    body.path("scopes").forEach(s -> scopes.add(s.asText()));
    String clientId = required(body, "client_id");
    ObjectNode n = JSON.createObjectNode().put("client_id", clientId).put("tenant", tenant).put("principal", principal);
    JsonNode jwks = body.get("jwks");
    if (jwks != null && !jwks.isNull()) {
      if (!jwks.isObject()) {
        throw new Invalid("jwks must be a JWK set object: {\"keys\": [...]}");
      }
      try {
        identity.oauth().registerKeyClient(clientId, tenant, principal, scopes, jwks.toString());
      } catch (IllegalArgumentException e) {
        throw new Invalid(e.getMessage());
      }
      n.put("token_endpoint_auth_method", "private_key_jwt");
    } else {
      var issued = identity.oauth().registerClient(clientId, tenant, principal, scopes);
      n.put("token_endpoint_auth_method", "client_secret_basic").put("client_secret", issued.secret())
          .put("note", "Store this secret now: it is shown only once.");
    }
    scopes.forEach(n.putArray("scopes")::add);
    return n;
  }

  private JsonNode revokeClient(String tenant, String clientId) {
    var client = identity.store().findOAuthClient(clientId).filter(c -> c.tenantId().equals(tenant))
        .orElseThrow(() -> new Missing("Client '" + clientId + "' does not exist in tenant '" + tenant + "'."));
    if (!identity.store().revokeOAuthClient(client.clientId(), clock.instant())) {
      throw new Invalid("Client '" + clientId + "' is already revoked.");
    }
    return JSON.createObjectNode().put("client_id", clientId).put("revoked", true);
  }

  /** The key if it belongs to this tenant; otherwise 404, exactly as for a key that does not exist. */
  private ApiKeyRecord ownedKey(String tenant, String keyId) {
    return identity.store().findApiKey(keyId).filter(k -> k.tenantId().equals(tenant))
        .orElseThrow(() -> new Missing("Key '" + keyId + "' does not exist in tenant '" + tenant + "'."));
  }

  private Instant expiry(JsonNode body) {
    if (body.hasNonNull("expires_at")) {
      try {
        return Instant.parse(body.get("expires_at").asText());
      } catch (DateTimeParseException e) {
        throw new Invalid("expires_at must be an ISO-8601 instant such as 2027-01-31T00:00:00Z");
      }
    }
    if (body.hasNonNull("expires_in_days")) {
      long days = body.get("expires_in_days").asLong(-1);
      if (days < 1 || days > 3650) {
        throw new Invalid("expires_in_days must be 1..3650");
      }
      return clock.instant().plus(Duration.ofDays(days));
    }
    return null;
  }

  private static JsonNode issued(IssuedKey issued) {
    ObjectNode n = key(issued.record());
    n.put("key", issued.secret());
    n.put("note", "Store this key now: it is shown only once.");
    return n;
  }

  private static ObjectNode key(ApiKeyRecord k) {
    ObjectNode n = JSON.createObjectNode().put("id", k.id()).put("tenant", k.tenantId())
        .put("principal", k.principalId()).put("environment", k.environment()).put("hint", k.hint())
        .put("plan", k.plan());
    k.scopes().forEach(n.putArray("scopes")::add);
    k.allowedCidrs().forEach(n.putArray("allowed_cidrs")::add);
    n.put("created_at", k.createdAt().toString());
    n.put("expires_at", k.expiresAt() == null ? null : k.expiresAt().toString());
    n.put("revoked_at", k.revokedAt() == null ? null : k.revokedAt().toString());
    n.put("replaced_by", k.replacedBy());
    n.put("last_used_at", k.lastUsedAt() == null ? null : k.lastUsedAt().toString());
    return n;
  }

  // ---- helpers ----

  private void requireTenant(String tenant) {
    if (identity.store().findTenant(tenant).isEmpty()) {
      throw noTenant(tenant);
    }
  }

  private static JsonNode body(RoutingContext ctx) {
    if (ctx.body() == null || ctx.body().length() == 0) {
      return JSON.createObjectNode();
    }
    try {
      JsonNode node = JSON.readTree(ctx.body().buffer().getBytes());
      if (node == null || !node.isObject()) {
        throw new Invalid("the body must be a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new Invalid("the body is not valid JSON");
    }
  }

  private static String required(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new Invalid("'" + field + "' is required and must be a string");
    }
    return v.asText();
  }

  private static JsonNode wrap(ArrayNode list) {
    ObjectNode n = JSON.createObjectNode();
    n.set("data", list);
    return n;
  }
}

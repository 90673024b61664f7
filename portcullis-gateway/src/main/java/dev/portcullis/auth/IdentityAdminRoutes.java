package dev.portcullis.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.admin.AdminAccess;
import dev.portcullis.admin.AdminAudit;
import dev.portcullis.admin.AdminBody;
import dev.portcullis.admin.AdminCaller;
import dev.portcullis.admin.AdminRoutes;
import dev.portcullis.admin.Problems;
import dev.portcullis.identity.apikey.ApiKeyService;
import dev.portcullis.identity.apikey.IssuedKey;
import dev.portcullis.identity.oauth.TokenIssuer;
import dev.portcullis.identity.store.ApiKeyRecord;
import dev.portcullis.identity.store.ConflictException;
import dev.portcullis.identity.store.Ids;
import dev.portcullis.identity.store.Plan;
import dev.portcullis.identity.store.PrincipalKind;
import dev.portcullis.identity.store.StoreException;
import dev.portcullis.identity.store.StoredPrincipal;
import dev.portcullis.identity.store.Tenant;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
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
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API for identity, under {@code /admin/v1/}: plans, tenants, principals, API keys and OAuth clients. A
 * new or rotated key's secret appears in exactly one response and nowhere else. Everything below a tenant is
 * scoped: a {@code tenant-admin} sees and changes only its own tenant, and a key or principal of another tenant
 * answers 404 as if it did not exist. Grants are bounded by the caller (ADR 0007): only an {@code admin} gives any
 * plan, a {@code tenant-admin} only its tenant's plan or one an admin allowed for the tenant, and nobody grants a
 * scope they do not hold. Bodies are read strictly ({@link AdminBody}); every call is a security event
 * ({@link AdminAudit}).
 */
public final class IdentityAdminRoutes implements AdminRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(IdentityAdminRoutes.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_LIST = 1000;
  /** A client name leaves room in the 63-character id for its random suffix. */
  private static final Pattern CLIENT_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,37}");

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

  /** Something the caller's role may not grant: 403, with a short reason code for the security event. */
  private static final class Denied extends RuntimeException {
    private final String reason;

    Denied(String reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }
  }

  @Override
  public void mount(Router router) {
    router.get("/admin/v1/plans").handler(ctx -> {
      AdminAudit.describe(ctx, "plan.list", null, null);
      run(ctx, 200, () -> plans(AdminAccess.callerOf(ctx)));
    });
    router.post("/admin/v1/plans").handler(ctx -> {
      AdminAudit.describe(ctx, "plan.create", null, "plan");
      if (AdminAccess.mayAdminister(ctx)) {
        run(ctx, 201, "plan", "name", () -> createPlan(ctx));
      }
    });
    router.get("/admin/v1/tenants").handler(ctx -> {
      AdminAudit.describe(ctx, "tenant.list", null, null);
      run(ctx, 200, () -> tenants(AdminAccess.callerOf(ctx)));
    });
    router.post("/admin/v1/tenants").handler(ctx -> {
      AdminAudit.describe(ctx, "tenant.create", null, "tenant");
      if (AdminAccess.mayAdminister(ctx)) {
        run(ctx, 201, "tenant", "id", () -> createTenant(ctx));
      }
    });
    router.get("/admin/v1/tenants/:tenant").handler(ctx -> {
      String tenant = ctx.pathParam("tenant");
      AdminAudit.describe(ctx, "tenant.read", tenant, "tenant:" + tenant);
      if (AdminAccess.mayRead(ctx, tenant)) {
        run(ctx, 200, () -> tenant(identity.store().findTenant(tenant).orElseThrow(() -> noTenant(tenant))));
      }
    });
    router.patch("/admin/v1/tenants/:tenant").handler(ctx -> {
      String tenant = ctx.pathParam("tenant");
      AdminAudit.describe(ctx, "tenant.update", tenant, "tenant:" + tenant);
      if (AdminAccess.mayAdminister(ctx)) {
        run(ctx, 200, () -> updateTenant(tenant, ctx));
      }
    });
    router.get("/admin/v1/tenants/:tenant/principals").handler(ctx -> {
      String tenant = ctx.pathParam("tenant");
      AdminAudit.describe(ctx, "principal.list", tenant, "tenant:" + tenant);
      if (AdminAccess.mayRead(ctx, tenant)) {
        run(ctx, 200, () -> principals(tenant));
      }
    });
    router.post("/admin/v1/tenants/:tenant/principals").handler(ctx -> {
      String tenant = ctx.pathParam("tenant");
      AdminAudit.describe(ctx, "principal.create", tenant, "principal");
      if (AdminAccess.mayWrite(ctx, tenant)) {
        run(ctx, 201, "principal", "id", () -> createPrincipal(tenant, ctx));
      }
    });
    router.get("/admin/v1/tenants/:tenant/keys").handler(ctx -> {
      String tenant = ctx.pathParam("tenant");
      AdminAudit.describe(ctx, "key.list", tenant, "tenant:" + tenant);
      if (AdminAccess.mayRead(ctx, tenant)) {
        run(ctx, 200, () -> keys(tenant));
      }
    });
    router.post("/admin/v1/tenants/:tenant/keys").handler(ctx -> {
      String tenant = ctx.pathParam("tenant");
      AdminAudit.describe(ctx, "key.create", tenant, "key");
      if (AdminAccess.mayWrite(ctx, tenant)) {
        run(ctx, 201, "key", "id", () -> createKey(tenant, ctx));
      }
    });
    router.get("/admin/v1/tenants/:tenant/keys/:key").handler(ctx -> {
      String tenant = ctx.pathParam("tenant");
      AdminAudit.describe(ctx, "key.read", tenant, "key:" + ctx.pathParam("key"));
      if (AdminAccess.mayRead(ctx, tenant)) {
        run(ctx, 200, () -> key(ownedKey(tenant, ctx.pathParam("key"))));
      }
    });
    router.post("/admin/v1/tenants/:tenant/keys/:key/rotate").handler(ctx -> {
      String tenant = ctx.pathParam("tenant");
      AdminAudit.describe(ctx, "key.rotate", tenant, "key:" + ctx.pathParam("key"));
      if (AdminAccess.mayWrite(ctx, tenant)) {
        run(ctx, 201, () -> rotate(tenant, ctx.pathParam("key"), ctx));
      }
    });
    router.post("/admin/v1/tenants/:tenant/keys/:key/revoke").handler(ctx -> {
      String tenant = ctx.pathParam("tenant");
      AdminAudit.describe(ctx, "key.revoke", tenant, "key:" + ctx.pathParam("key"));
      if (AdminAccess.mayWrite(ctx, tenant)) {
        run(ctx, 200, () -> revoke(tenant, ctx.pathParam("key"), ctx));
      }
    });
    router.post("/admin/v1/tenants/:tenant/oauth-clients").handler(ctx -> {
      String tenant = ctx.pathParam("tenant");
      AdminAudit.describe(ctx, "oauth_client.create", tenant, "oauth_client");
      if (AdminAccess.mayWrite(ctx, tenant)) {
        run(ctx, 201, "oauth_client", "client_id", () -> createClient(tenant, ctx));
      }
    });
    router.post("/admin/v1/tenants/:tenant/oauth-clients/:client/revoke").handler(ctx -> {
      String tenant = ctx.pathParam("tenant");
      AdminAudit.describe(ctx, "oauth_client.revoke", tenant, "oauth_client:" + ctx.pathParam("client"));
      if (AdminAccess.mayWrite(ctx, tenant)) {
        run(ctx, 200, () -> revokeClient(tenant, ctx.pathParam("client"), ctx));
      }
    });
  }

  private void run(RoutingContext ctx, int status, Callable<JsonNode> work) {
    run(ctx, status, null, null, work);
  }

  /**
   * Runs blocking store work on a worker and answers with its JSON, or with a problem. A call that creates a
   * resource names its kind and the answer's id field, which become the security event's target.
   */
  private void run(RoutingContext ctx, int status, String createdKind, String idField, Callable<JsonNode> work) {
    vertx.executeBlocking(work, false).onComplete(ar -> {
      if (ar.succeeded()) {
        if (createdKind != null) {
          AdminAudit.target(ctx, createdKind + ":" + ar.result().path(idField).asText());
        }
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
            .end(ar.result().toString());
        return;
      }
      Throwable e = ar.cause();
      switch (e) {
        case AdminBody.Malformed m -> m.send(ctx);
        case Denied d -> {
          AdminAudit.reason(ctx, d.reason);
          Problems.send(ctx.response(), 403, "Forbidden", d.getMessage());
        }
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

  // ---- what a caller may grant ----

  /**
   * Checks that the caller may give {@code plan} (null: none) to something in {@code tenant}: an {@code admin} any
   * plan that exists; anyone else only the tenant's own plan or one an admin allowed for the tenant. A refused plan
   * is refused the same whether it exists or not, so that plan names do not leak.
   */
  private void mayGrantPlan(AdminCaller caller, Tenant tenant, String plan) {
    if (plan == null) {
      return;
    }
    if (!caller.isAdmin() && !tenant.allowsPlan(plan)) {
      throw new Denied("plan_not_allowed", "Plan '" + plan + "' is not allowed for tenant '" + tenant.id()
          + "'; only an admin can allow it (PATCH /admin/v1/tenants/" + tenant.id() + ", allowed_plans).");
    }
    if (identity.store().findPlan(plan).isEmpty()) {
      throw new Invalid("plan '" + plan + "' does not exist");
    }
  }

  /** Checks that the caller holds every scope it grants: nobody grants more than they hold. */
  private static void mayGrantScopes(AdminCaller caller, Set<String> scopes) {
    scopes.forEach(Ids::requireScope);
    if (!caller.holdsScopes(scopes)) {
      Set<String> beyond = new TreeSet<>(scopes);
      beyond.removeAll(caller.scopes());
      throw new Denied("scope_not_held", "You may grant only scopes you hold; you do not hold " + beyond + ".");
    }
  }

  // ---- plans and tenants ----

  /** Every plan; a tenant-admin sees only the plans it may give (its tenant's own and those allowed for it). */
  private JsonNode plans(AdminCaller caller) {
    Tenant own = caller.canReadGlobal() ? null : identity.store().findTenant(caller.tenant()).orElse(null);
    ArrayNode list = JSON.createArrayNode();
    for (Plan p : identity.store().listPlans(MAX_LIST)) {
      if (caller.canReadGlobal() || own != null && own.allowsPlan(p.name())) {
        list.addObject().put("name", p.name()).put("description", p.description());
      }
    }
    return wrap(list);
  }

  private JsonNode createPlan(RoutingContext ctx) {
    AdminBody body = AdminBody.parse(ctx, "name", "description");
    String description = body.optionalString("description");
    Plan plan = new Plan(body.string("name"), description == null ? "" : description);
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

  private JsonNode createTenant(RoutingContext ctx) {
    AdminBody body = AdminBody.parse(ctx, "id", "display_name", "plan", "allowed_plans");
    String id = body.string("id");
    String plan = body.string("plan");
    requirePlans(plan, body.strings("allowed_plans"));
    String displayName = body.optionalString("display_name");
    Tenant tenant = new Tenant(id, displayName == null ? id : displayName, plan, clock.instant(), false,
        body.strings("allowed_plans"));
    identity.store().createTenant(tenant);
    return tenant(tenant);
  }

  /** Changes a tenant's display name, plan or allowed plans (admin only). */
  private JsonNode updateTenant(String id, RoutingContext ctx) {
    AdminBody body = AdminBody.parse(ctx, "display_name", "plan", "allowed_plans");
    Tenant t = identity.store().findTenant(id).orElseThrow(() -> noTenant(id));
    String plan = body.has("plan") ? body.string("plan") : t.plan();
    Set<String> allowed = body.has("allowed_plans") ? body.strings("allowed_plans") : t.allowedPlans();
    requirePlans(plan, allowed);
    String displayName = body.has("display_name") ? body.string("display_name") : t.displayName();
    Tenant updated = new Tenant(t.id(), displayName, plan, t.createdAt(), t.disabled(), allowed);
    if (!identity.store().updateTenant(updated)) {
      throw noTenant(id);
    }
    return tenant(updated);
  }

  private void requirePlans(String plan, Set<String> allowed) {
    for (String p : plan == null ? allowed : concat(plan, allowed)) {
      if (identity.store().findPlan(p).isEmpty()) {
        throw new Invalid("plan '" + p + "' does not exist; create it first (POST /admin/v1/plans)");
      }
    }
  }

  private static Set<String> concat(String first, Set<String> rest) {
    Set<String> all = new LinkedHashSet<>();
    all.add(first);
    all.addAll(rest);
    return all;
  }

  private static ObjectNode tenant(Tenant t) {
    ObjectNode n = JSON.createObjectNode().put("id", t.id()).put("display_name", t.displayName())
        .put("plan", t.plan());
    t.allowedPlans().stream().sorted().forEach(n.putArray("allowed_plans")::add);
    return n.put("created_at", t.createdAt().toString()).put("disabled", t.disabled());
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

  private JsonNode createPrincipal(String tenantId, RoutingContext ctx) {
    AdminBody body = AdminBody.parse(ctx, "id", "kind", "plan", "attributes");
    Tenant tenant = requireTenant(tenantId);
    String kindText = body.optionalString("kind");
    PrincipalKind kind;
    try {
      kind = PrincipalKind.valueOf((kindText == null ? "application" : kindText).toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new Invalid("kind must be application or user");
    }
    Map<String, String> attributes = new HashMap<>();
    ObjectNode given = body.object("attributes");
    if (given != null) {
      for (Map.Entry<String, JsonNode> e : given.properties()) {
        if (!e.getValue().isTextual()) {
          throw new Invalid("attributes must map names to strings ('" + e.getKey() + "' does not)");
        }
        attributes.put(e.getKey(), e.getValue().asText());
      }
    }
    String plan = body.optionalString("plan");
    mayGrantPlan(AdminAccess.callerOf(ctx), tenant, plan);
    StoredPrincipal principal = new StoredPrincipal(body.string("id"), tenantId, kind, plan, attributes,
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

  private JsonNode createKey(String tenantId, RoutingContext ctx) {
    AdminBody body = AdminBody.parse(ctx, "principal", "environment", "scopes", "allowed_cidrs", "expires_at",
        "expires_in_days", "plan");
    Tenant tenant = requireTenant(tenantId);
    String principal = body.string("principal");
    if (identity.store().findPrincipal(tenantId, principal).isEmpty()) {
      throw new Missing("Principal '" + principal + "' does not exist in tenant '" + tenantId + "'.");
    }
    String environment = body.optionalString("environment");
    environment = environment == null ? "live" : environment;
    if (!identity.settings().environments().contains(environment)) {
      throw new Invalid("environment must be one of " + identity.settings().environments());
    }
    Set<String> scopes = body.strings("scopes");
    List<String> cidrs = new ArrayList<>(body.strings("allowed_cidrs"));
    Instant expires = expiry(body);
    String plan = body.optionalString("plan");
    AdminCaller caller = AdminAccess.callerOf(ctx);
    mayGrantPlan(caller, tenant, plan);
    mayGrantScopes(caller, scopes);
    IssuedKey issued = identity.keys().create(new ApiKeyService.KeySpec(tenantId, principal, environment, scopes,
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

  private JsonNode rotate(String tenant, String keyId, RoutingContext ctx) {
    AdminBody body = AdminBody.parse(ctx, "grace_seconds");
    ApiKeyRecord old = ownedKey(tenant, keyId);
    // the new key keeps the old one's plan and scopes: the caller must be able to grant them, or rotating an
    // admin's key would hand a tenant-admin a secret with rights it could not give
    AdminCaller caller = AdminAccess.callerOf(ctx);
    mayGrantPlan(caller, requireTenant(tenant), old.plan());
    mayGrantScopes(caller, old.scopes());
    Long grace = body.wholeNumber("grace_seconds");
    if (grace != null && (grace < 0 || grace > ApiKeyService.MAX_GRACE.toSeconds())) {
      throw new Invalid("grace_seconds must be 0.." + ApiKeyService.MAX_GRACE.toSeconds());
    }
    return switch (identity.keys().rotate(keyId, Duration.ofSeconds(grace == null ? 3600 : grace))) {
      case ApiKeyService.Rotation.Rotated r -> withSigningSecret(r.key());
      case ApiKeyService.Rotation.Unavailable u -> throw new Invalid("Key '" + keyId
          + "' is revoked or was already rotated.");
      case ApiKeyService.Rotation.Expired e -> throw new Invalid("Key '" + keyId + "' expired at " + e.expiredAt()
          + "; an expired key is not renewed: create a new key.");
    };
  }

  private JsonNode revoke(String tenant, String keyId, RoutingContext ctx) {
    AdminBody.parse(ctx);
    ownedKey(tenant, keyId);
    if (!identity.keys().revoke(keyId)) {
      throw new Invalid("Key '" + keyId + "' is already revoked.");
    }
    return key(identity.store().findApiKey(keyId).orElseThrow(() -> new Missing("Key vanished.")));
  }

  /**
   * Registers an OAuth client. Its id is generated ({@code name} and a random suffix; ADR 0008): a caller cannot
   * choose an id, so it cannot learn which ids other tenants use.
   */
  private JsonNode createClient(String tenant, RoutingContext ctx) {
    AdminBody body = AdminBody.parse(ctx, "name", "principal", "scopes", "jwks");
    if (identity.oauth() == null) {
      throw new Invalid("the built-in OAuth server is off; configure identity.oauth");
    }
    requireTenant(tenant);
    String name = body.optionalString("name");
    if (name != null && !CLIENT_NAME.matcher(name).matches()) {
      throw new Invalid("name must be 1-38 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit");
    }
    String principal = body.string("principal");
    if (identity.store().findPrincipal(tenant, principal).isEmpty()) {
      throw new Missing("Principal '" + principal + "' does not exist in tenant '" + tenant + "'.");
    }
    Set<String> scopes = body.strings("scopes");
    mayGrantScopes(AdminAccess.callerOf(ctx), scopes);
    String clientId = TokenIssuer.newClientId(name);
    ObjectNode n = JSON.createObjectNode().put("client_id", clientId).put("tenant", tenant).put("principal", principal);
    ObjectNode jwks = body.object("jwks");
    if (jwks != null) {
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

  /** Revokes a client and, on every instance, every token it holds. */
  private JsonNode revokeClient(String tenant, String clientId, RoutingContext ctx) {
    AdminBody.parse(ctx);
    var client = identity.store().findOAuthClient(clientId).filter(c -> c.tenantId().equals(tenant))
        .orElseThrow(() -> new Missing("Client '" + clientId + "' does not exist in tenant '" + tenant + "'."));
    boolean revoked = identity.oauth() != null ? identity.oauth().revokeClient(client.clientId())
        : identity.store().revokeOAuthClient(client.clientId(), clock.instant());
    if (!revoked) {
      throw new Invalid("Client '" + clientId + "' is already revoked.");
    }
    return JSON.createObjectNode().put("client_id", clientId).put("revoked", true);
  }

  /** The key if it belongs to this tenant; otherwise 404, exactly as for a key that does not exist. */
  private ApiKeyRecord ownedKey(String tenant, String keyId) {
    return identity.store().findApiKey(keyId).filter(k -> k.tenantId().equals(tenant))
        .orElseThrow(() -> new Missing("Key '" + keyId + "' does not exist in tenant '" + tenant + "'."));
  }

  private Instant expiry(AdminBody body) {
    String at = body.optionalString("expires_at");
    Long days = body.wholeNumber("expires_in_days");
    if (at != null && days != null) {
      throw new Invalid("give expires_at or expires_in_days, not both");
    }
    if (at != null) {
      try {
        return Instant.parse(at);
      } catch (DateTimeParseException e) {
        throw new Invalid("expires_at must be an ISO-8601 instant such as 2027-01-31T00:00:00Z");
      }
    }
    if (days != null) {
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

  private Tenant requireTenant(String tenant) {
    return identity.store().findTenant(tenant).orElseThrow(() -> noTenant(tenant));
  }

  private static JsonNode wrap(ArrayNode list) {
    ObjectNode n = JSON.createObjectNode();
    n.set("data", list);
    return n;
  }
}

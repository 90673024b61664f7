package dev.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.app.Portcullis;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.LiveConfig;
import dev.portcullis.server.Gateway;
import dev.portcullis.testkit.SimulatedUpstream;
import dev.portcullis.testkit.SimulatorOptions;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Every admin write endpoint, called over HTTP by every role (issue 10 item 2), and the security event each call
 * leaves on the {@code portcullis.security} log (issue 10 item 12).
 */
class AdminWritesTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String ROOT = "root-admin-token-000000";
  static final String AUDITOR = "auditor-token-22222222";
  static final String ACME_ADMIN = "acme-admin-token-111111";
  static final String INITECH_ADMIN = "initech-admin-token-33333";
  static final AtomicInteger SEQ = new AtomicInteger();
  static Vertx upstreamVertx;
  static Vertx vertx;
  static Portcullis portcullis;
  static final HttpClient http = HttpClient.newHttpClient();
  static final ListAppender<ILoggingEvent> events = new ListAppender<>();
  /** Every secret any response showed: none may appear in a security event. */
  static final List<String> secrets = new ArrayList<>(List.of(ROOT, AUDITOR, ACME_ADMIN, INITECH_ADMIN));

  @BeforeAll
  static void start() throws Exception {
    events.start();
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("portcullis.security")).addAppender(events);
    upstreamVertx = Vertx.vertx();
    SimulatedUpstream upstream = SimulatedUpstream.start(upstreamVertx, SimulatorOptions.defaults()).await();
    Path dir = Files.createTempDirectory("admin-writes-test");
    String yaml = """
        server: {event-loops: 1, listeners: [{name: public, host: 127.0.0.1, port: 0}]}
        admin:
          host: 127.0.0.1
          port: 0
          users:
            - {name: root, token: %s, role: admin}
            - {name: audit, token: %s, role: auditor}
            - {name: acme-ops, token: %s, role: tenant-admin, tenant: acme, scopes: [chat]}
            - {name: initech-ops, token: %s, role: tenant-admin, tenant: initech}
        upstreams: [{name: sim, base-url: "%s", models: [sim-small]}]
        identity:
          store: {sqlite: ids.db}
          api-keys: {pepper: "pepper-for-tests-0123456789abcdef0123"}
          signed-requests: {enabled: true, skew: 60s}
          oauth: {issuer: "http://127.0.0.1", audience: portcullis, token-ttl: 5m}
        """.formatted(ROOT, AUDITOR, ACME_ADMIN, INITECH_ADMIN, upstream.baseUrl());
    LiveConfig live = LiveConfig.fixed(ConfigLoader.parse(yaml, Map.<String, String>of()::get, dir,
        Portcullis.SECTIONS));
    vertx = Gateway.createVertx(live.current());
    portcullis = Portcullis.start(vertx, live, Clock.systemUTC());
    for (String plan : new String[] {"basic", "premium", "secret-plan"}) {
      assertThat(admin("POST", "/admin/v1/plans", ROOT, "{\"name\":\"" + plan + "\"}").statusCode()).isEqualTo(201);
    }
    for (String tenant : new String[] {"acme", "globex", "initech"}) {
      assertThat(admin("POST", "/admin/v1/tenants", ROOT, "{\"id\":\"" + tenant + "\",\"plan\":\"basic\"}")
          .statusCode()).isEqualTo(201);
      assertThat(admin("POST", "/admin/v1/tenants/" + tenant + "/principals", ROOT, "{\"id\":\"app\"}")
          .statusCode()).isEqualTo(201);
    }
  }

  @AfterAll
  static void stop() {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("portcullis.security")).detachAppender(events);
    portcullis.stop().await();
    vertx.close().await();
    upstreamVertx.close().await();
  }

  static HttpResponse<String> admin(String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + portcullis.gateway().adminPort() + path)).header("content-type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("authorization", "Bearer " + token);
    }
    int before = logged().size();
    HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (!method.equals("GET") || res.statusCode() == 401 || res.statusCode() == 403) {
      // the call's event is written just after its answer: wait for it, so that the next call's event is its own
      eventsSince(before, 1);
    }
    if (res.statusCode() < 300 && res.body().startsWith("{")) {
      JsonNode n = JSON.readTree(res.body());
      for (String field : new String[] {"key", "signing_secret", "client_secret"}) {
        if (n.hasNonNull(field)) {
          synchronized (secrets) {
            secrets.add(n.get(field).asText());
          }
        }
      }
    }
    return res;
  }

  /** Creates a resource for a call to act on, and waits for its own event (written once the answer was sent). */
  static JsonNode created(String path) throws Exception {
    int before = logged().size();
    HttpResponse<String> res = admin("POST", path, ROOT, "{\"principal\":\"app\"}");
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    eventsSince(before, 1);
    return JSON.readTree(res.body());
  }

  static String freshKey(String tenant) throws Exception {
    return created("/admin/v1/tenants/" + tenant + "/keys").path("id").asText();
  }

  static String freshClient(String tenant) throws Exception {
    return created("/admin/v1/tenants/" + tenant + "/oauth-clients").path("client_id").asText();
  }

  /** One admin write endpoint: how to call it afresh, its event's action, and what each role gets. */
  record Endpoint(String method, Supplier<String> path, Supplier<String> body, String action, int admin,
      int auditor, int tenantAdmin) {}

  static Supplier<String> fixed(String s) {
    return () -> s;
  }

  static Supplier<String> unchecked(java.util.concurrent.Callable<String> c) {
    return () -> {
      try {
        return c.call();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
  }

  static List<Endpoint> endpoints() {
    return List.of(
        new Endpoint("POST", fixed("/admin/v1/plans"), () -> "{\"name\":\"plan-" + SEQ.incrementAndGet() + "\"}",
            "plan.create", 201, 403, 403),
        new Endpoint("POST", fixed("/admin/v1/tenants"),
            () -> "{\"id\":\"t-" + SEQ.incrementAndGet() + "\",\"plan\":\"basic\"}", "tenant.create", 201, 403, 403),
        new Endpoint("PATCH", fixed("/admin/v1/tenants/acme"), fixed("{\"display_name\":\"Acme\"}"),
            "tenant.update", 200, 403, 403),
        new Endpoint("POST", fixed("/admin/v1/tenants/acme/principals"),
            () -> "{\"id\":\"p-" + SEQ.incrementAndGet() + "\"}", "principal.create", 201, 403, 201),
        new Endpoint("POST", fixed("/admin/v1/tenants/globex/principals"),
            () -> "{\"id\":\"p-" + SEQ.incrementAndGet() + "\"}", "principal.create", 201, 403, 403),
        new Endpoint("POST", fixed("/admin/v1/tenants/acme/keys"),
            fixed("{\"principal\":\"app\",\"scopes\":[\"chat\"]}"), "key.create", 201, 403, 201),
        new Endpoint("POST", fixed("/admin/v1/tenants/globex/keys"), fixed("{\"principal\":\"app\"}"), "key.create",
            201, 403, 403),
        new Endpoint("POST", unchecked(() -> "/admin/v1/tenants/acme/keys/" + freshKey("acme") + "/rotate"),
            fixed("{\"grace_seconds\":60}"), "key.rotate", 201, 403, 201),
        new Endpoint("POST", unchecked(() -> "/admin/v1/tenants/globex/keys/" + freshKey("globex") + "/rotate"),
            fixed("{}"), "key.rotate", 201, 403, 403),
        new Endpoint("POST", unchecked(() -> "/admin/v1/tenants/acme/keys/" + freshKey("acme") + "/revoke"),
            fixed(null), "key.revoke", 200, 403, 200),
        new Endpoint("POST", fixed("/admin/v1/tenants/acme/oauth-clients"),
            fixed("{\"name\":\"bot\",\"principal\":\"app\",\"scopes\":[\"chat\"]}"), "oauth_client.create", 201, 403,
            201),
        new Endpoint("POST", fixed("/admin/v1/tenants/globex/oauth-clients"), fixed("{\"principal\":\"app\"}"),
            "oauth_client.create", 201, 403, 403),
        new Endpoint("POST",
            unchecked(() -> "/admin/v1/tenants/acme/oauth-clients/" + freshClient("acme") + "/revoke"), fixed(null),
            "oauth_client.revoke", 200, 403, 200),
        new Endpoint("POST", fixed("/admin/reload"), fixed(null), "config.reload", 200, 403, 403));
  }

  /** The security events written since {@code from}, once {@code count} have arrived. */
  static List<JsonNode> eventsSince(int from, int count) throws Exception {
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> logged().size() >= from + count);
    List<JsonNode> out = new ArrayList<>();
    for (ILoggingEvent e : logged().subList(from, from + count)) {
      out.add(JSON.readTree(e.getFormattedMessage()));
    }
    return out;
  }

  /** A copy of the events so far (the appender adds under its own lock). */
  static List<ILoggingEvent> logged() {
    synchronized (events) {
      return List.copyOf(events.list);
    }
  }

  /** Calls, checks the answer's status, and returns the one security event the call left. */
  static JsonNode call(String method, String path, String token, String body, int expected) throws Exception {
    int before = logged().size();
    HttpResponse<String> res = admin(method, path, token, body);
    assertThat(res.statusCode()).as("%s %s as %s: %s", method, path, token, res.body()).isEqualTo(expected);
    if (expected >= 400) {
      assertThat(res.headers().firstValue("content-type")).hasValue("application/problem+json");
    }
    JsonNode event = eventsSince(before, 1).getFirst();
    assertThat(event.path("http.response.status_code").asInt()).as("the call's own event").isEqualTo(expected);
    assertThat(event.path("type").asText()).isEqualTo("security");
    assertThat(event.path("http.response.status_code").asInt()).isEqualTo(expected);
    return event;
  }

  @Test
  void everyWriteEndpointAnswersEveryRoleAsItsRoleAllowsAndLeavesAnEvent() throws Exception {
    String[][] roles = {{"root", "admin", ROOT}, {"audit", "auditor", AUDITOR}, {"acme-ops", "tenant-admin", ACME_ADMIN},
        {null, null, null}};
    for (Endpoint e : endpoints()) {
      for (String[] role : roles) {
        int expected = role[2] == null ? 401 : role[1].equals("admin") ? e.admin()
            : role[1].equals("auditor") ? e.auditor() : e.tenantAdmin();
        // the fresh resource is made before the call, so that its own event is not taken for the call's
        String path = e.path().get();
        String body = e.body().get();
        JsonNode event = call(e.method(), path, role[2], body, expected);
        String outcome = switch (expected) {
          case 401 -> "unauthenticated";
          case 403 -> "denied";
          default -> "succeeded";
        };
        assertThat(event.path("outcome").asText()).as("%s %s", e.method(), path).isEqualTo(outcome);
        if (role[2] == null) {
          assertThat(event.path("action").asText()).isEqualTo("admin.authenticate");
          assertThat(event.has("actor")).isFalse();
          assertThat(event.path("target").asText()).isEqualTo("path:" + path);
        } else {
          assertThat(event.path("action").asText()).as("%s %s", e.method(), path).isEqualTo(e.action());
          assertThat(event.path("actor").asText()).isEqualTo(role[0]);
          assertThat(event.path("role").asText()).isEqualTo(role[1]);
          assertThat(event.path("client.address").asText()).isEqualTo("127.0.0.1");
          if (expected == 403) {
            assertThat(event.path("reason").asText()).isEqualTo("role");
          }
        }
        if (expected < 300 && !e.action().startsWith("config") && !e.action().startsWith("plan")
            && !e.action().equals("tenant.create")) {
          assertThat(event.path("tenant").asText()).isNotEmpty();
        }
        if (expected == 201) {
          assertThat(event.path("target").asText()).matches("[a-z_]+:[a-z0-9._-]+");
        }
      }
    }
  }

  @Test
  void aTenantAdminGivesOnlyItsTenantsPlansAndOnlyScopesItHolds() throws Exception {
    // a plan beyond the tenant's is refused for keys and principals (it existing or not), whatever the role's tenant
    for (String plan : new String[] {"premium", "no-such-plan"}) {
      JsonNode event = call("POST", "/admin/v1/tenants/acme/keys", ACME_ADMIN,
          "{\"principal\":\"app\",\"plan\":\"" + plan + "\"}", 403);
      assertThat(event.path("reason").asText()).isEqualTo("plan_not_allowed");
      assertThat(event.path("outcome").asText()).isEqualTo("denied");
      call("POST", "/admin/v1/tenants/acme/principals", ACME_ADMIN,
          "{\"id\":\"p-" + SEQ.incrementAndGet() + "\",\"plan\":\"" + plan + "\"}", 403);
    }
    // the tenant's own plan is fine; an admin gives any plan
    call("POST", "/admin/v1/tenants/acme/keys", ACME_ADMIN, "{\"principal\":\"app\",\"plan\":\"basic\"}", 201);
    call("POST", "/admin/v1/tenants/acme/keys", ROOT, "{\"principal\":\"app\",\"plan\":\"premium\"}", 201);
    // scopes: a tenant-admin holds only chat
    JsonNode scoped = call("POST", "/admin/v1/tenants/acme/keys", ACME_ADMIN,
        "{\"principal\":\"app\",\"scopes\":[\"chat\",\"admin\"]}", 403);
    assertThat(scoped.path("reason").asText()).isEqualTo("scope_not_held");
    call("POST", "/admin/v1/tenants/acme/oauth-clients", ACME_ADMIN,
        "{\"principal\":\"app\",\"scopes\":[\"embeddings\"]}", 403);
    call("POST", "/admin/v1/tenants/initech/keys", INITECH_ADMIN, "{\"principal\":\"app\",\"scopes\":[\"chat\"]}",
        403);
    call("POST", "/admin/v1/tenants/initech/keys", INITECH_ADMIN, "{\"principal\":\"app\"}", 201);
    call("POST", "/admin/v1/tenants/acme/keys", ROOT, "{\"principal\":\"app\",\"scopes\":[\"chat\",\"admin\"]}",
        201);
    // rotating copies plan and scopes: a tenant-admin cannot rotate an admin's key into a secret of its own
    String premium = JSON.readTree(admin("POST", "/admin/v1/tenants/acme/keys", ROOT,
        "{\"principal\":\"app\",\"plan\":\"premium\"}").body()).path("id").asText();
    assertThat(call("POST", "/admin/v1/tenants/acme/keys/" + premium + "/rotate", ACME_ADMIN, "{}", 403)
        .path("reason").asText()).isEqualTo("plan_not_allowed");
    String wide = JSON.readTree(admin("POST", "/admin/v1/tenants/acme/keys", ROOT,
        "{\"principal\":\"app\",\"scopes\":[\"chat\",\"admin\"]}").body()).path("id").asText();
    assertThat(call("POST", "/admin/v1/tenants/acme/keys/" + wide + "/rotate", ACME_ADMIN, "{}", 403)
        .path("reason").asText()).isEqualTo("scope_not_held");
    call("POST", "/admin/v1/tenants/acme/keys/" + premium + "/rotate", ROOT, "{}", 201);
  }

  @Test
  void anAdminAllowsPlansForATenantAndItsAdminSeesOnlyThose() throws Exception {
    JsonNode plans = JSON.readTree(admin("GET", "/admin/v1/plans", INITECH_ADMIN, null).body());
    assertThat(plans.path("data").findValuesAsText("name")).containsExactly("basic");
    call("POST", "/admin/v1/tenants/initech/keys", INITECH_ADMIN, "{\"principal\":\"app\",\"plan\":\"premium\"}", 403);
    call("PATCH", "/admin/v1/tenants/initech", INITECH_ADMIN, "{\"allowed_plans\":[\"premium\"]}", 403);
    JsonNode update = call("PATCH", "/admin/v1/tenants/initech", ROOT, "{\"allowed_plans\":[\"premium\"]}", 200);
    assertThat(update.path("action").asText()).isEqualTo("tenant.update");
    assertThat(update.path("target").asText()).isEqualTo("tenant:initech");
    call("POST", "/admin/v1/tenants/initech/keys", INITECH_ADMIN, "{\"principal\":\"app\",\"plan\":\"premium\"}", 201);
    plans = JSON.readTree(admin("GET", "/admin/v1/plans", INITECH_ADMIN, null).body());
    assertThat(plans.path("data").findValuesAsText("name")).containsExactlyInAnyOrder("basic", "premium");
    assertThat(JSON.readTree(admin("GET", "/admin/v1/plans", AUDITOR, null).body()).path("data")
        .findValuesAsText("name")).contains("secret-plan");
    call("PATCH", "/admin/v1/tenants/initech", ROOT, "{\"allowed_plans\":[\"no-such-plan\"]}", 422);
  }

  @Test
  void adminBodiesRefuseWhatTheEndpointDoesNotDefine() throws Exception {
    String[][] bodies = {
        {"/admin/v1/tenants/acme/keys", "{\"principal\":\"app\",\"tier\":\"premium\"}", "tier"},
        {"/admin/v1/tenants/acme/principals", "{\"id\":\"x1\",\"scopes\":[\"chat\"]}", "scopes"},
        {"/admin/v1/tenants/acme/oauth-clients", "{\"principal\":\"app\",\"plan\":\"premium\"}", "plan"},
        {"/admin/v1/tenants/acme/oauth-clients", "{\"client_id\":\"chosen\",\"principal\":\"app\"}", "client_id"},
        {"/admin/v1/tenants", "{\"id\":\"x2\",\"plan\":\"basic\",\"disabled\":true}", "disabled"},
        {"/admin/v1/plans", "{\"name\":\"x3\",\"limits\":[]}", "limits"},
    };
    for (String[] b : bodies) {
      for (String token : new String[] {ROOT, ACME_ADMIN}) {
        boolean tenantScoped = b[0].startsWith("/admin/v1/tenants/acme");
        HttpResponse<String> res = admin("POST", b[0], token, b[1]);
        if (token.equals(ACME_ADMIN) && !tenantScoped) {
          assertThat(res.statusCode()).isEqualTo(403);
          continue;
        }
        assertThat(res.statusCode()).as("%s %s", b[0], b[1]).isEqualTo(400);
        assertThat(res.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(JSON.readTree(res.body()).path("errors").get(0).asText()).isEqualTo(b[2]);
        assertThat(JSON.readTree(res.body()).path("detail").asText()).contains("'" + b[2] + "'");
      }
    }
    // a repeated member, a wrong type, trailing content
    call("POST", "/admin/v1/tenants/acme/keys", ACME_ADMIN,
        "{\"principal\":\"app\",\"plan\":\"basic\",\"plan\":\"premium\"}", 400);
    call("POST", "/admin/v1/tenants/acme/keys", ACME_ADMIN, "{\"principal\":\"app\",\"scopes\":\"chat admin\"}", 400);
    call("POST", "/admin/v1/tenants/acme/keys", ACME_ADMIN, "{\"principal\":\"app\"} {\"plan\":\"premium\"}", 400);
    call("POST", "/admin/v1/tenants/acme/keys/x/revoke", ACME_ADMIN, "{\"cascade\":true}", 400);
  }

  @Test
  void noSecretEverReachesASecurityEvent() throws Exception {
    // make sure every kind of secret has been shown at least once
    created("/admin/v1/tenants/acme/keys");
    created("/admin/v1/tenants/acme/oauth-clients");
    List<String> lines = logged().stream().map(ILoggingEvent::getFormattedMessage).toList();
    List<String> shown;
    synchronized (secrets) {
      shown = List.copyOf(secrets);
    }
    assertThat(shown.stream().filter(s -> s.startsWith("pc_live_"))).isNotEmpty();
    for (String line : lines) {
      for (String secret : shown) {
        assertThat(line).doesNotContain(secret);
      }
    }
  }
}

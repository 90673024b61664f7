package dev.portcullis.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.LiveConfig;
import dev.portcullis.server.Gateway;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Admin users, roles and tenant scoping, over HTTP against a mounted feature route. */
class AdminAccessTest {

  static final String ADMIN = "admin-token-aaaaaaaaaaaa";
  static final String AUDITOR = "auditor-token-bbbbbbbbbb";
  static final String ACME = "acme-admin-token-cccccccc";
  static Vertx vertx;
  static Gateway gateway;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    String yaml = """
        server: {listeners: [{name: public, host: 127.0.0.1, port: 0}]}
        admin:
          host: 127.0.0.1
          port: 0
          users:
            - {name: root, token: "${env:ADMIN}", role: admin}
            - {name: audit, token: "%s", role: auditor}
            - {name: acme-ops, token: "%s", role: tenant-admin, tenant: acme}
        upstreams: [{name: u, base-url: "http://127.0.0.1:1/v1", models: [m]}]
        """.formatted(AUDITOR, ACME);
    LiveConfig live = LiveConfig.fixed(ConfigLoader.parse(yaml, Map.of("ADMIN", ADMIN)::get, Path.of(".")));
    vertx = Vertx.vertx();
    gateway = Gateway.builder(live).adminRoutes(router -> {
      router.get("/admin/v1/tenants/:tenant/things").handler(ctx -> {
        if (AdminAccess.mayRead(ctx, ctx.pathParam("tenant"))) {
          ctx.response().end("read " + ctx.pathParam("tenant") + " as " + AdminAccess.callerOf(ctx).name());
        }
      });
      router.post("/admin/v1/tenants/:tenant/things").handler(ctx -> {
        if (AdminAccess.mayWrite(ctx, ctx.pathParam("tenant"))) {
          ctx.response().setStatusCode(201).end("wrote " + ctx.body().asString());
        }
      });
    }).start(vertx).await();
  }

  @AfterAll
  static void stop() {
    gateway.stop().await();
    vertx.close().await();
  }

  static HttpResponse<String> call(String method, String path, String token) throws Exception {
    return call(method, path, token, method.equals("GET") ? null : path.endsWith("/things") ? "{\"x\":1}" : "{}");
  }

  static HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void refusesMissingAndUnknownTokensWithProblemJson() throws Exception {
    for (String token : new String[] {null, "not-a-real-token-at-all"}) {
      HttpResponse<String> res = call("GET", "/admin/v1/tenants/acme/things", token);
      assertThat(res.statusCode()).isEqualTo(401);
      assertThat(res.headers().firstValue("content-type")).hasValue("application/problem+json");
      assertThat(res.headers().firstValue("www-authenticate")).isPresent();
    }
  }

  @Test
  void adminReadsAndWritesEveryTenant() throws Exception {
    assertThat(call("GET", "/admin/v1/tenants/globex/things", ADMIN).body()).isEqualTo("read globex as root");
    assertThat(call("POST", "/admin/v1/tenants/globex/things", ADMIN).statusCode()).isEqualTo(201);
    assertThat(call("POST", "/admin/reload", ADMIN).statusCode()).isEqualTo(200);
  }

  @Test
  void auditorReadsButNeverWrites() throws Exception {
    assertThat(call("GET", "/admin/v1/tenants/globex/things", AUDITOR).statusCode()).isEqualTo(200);
    assertThat(call("POST", "/admin/v1/tenants/globex/things", AUDITOR).statusCode()).isEqualTo(403);
    assertThat(call("POST", "/admin/reload", AUDITOR).statusCode()).isEqualTo(403);
  }

  @Test
  void tenantAdminIsConfinedToItsTenant() throws Exception {
    assertThat(call("GET", "/admin/v1/tenants/acme/things", ACME).statusCode()).isEqualTo(200);
    assertThat(call("POST", "/admin/v1/tenants/acme/things", ACME).body()).isEqualTo("wrote {\"x\":1}");
    HttpResponse<String> other = call("GET", "/admin/v1/tenants/globex/things", ACME);
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(other.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(call("POST", "/admin/v1/tenants/globex/things", ACME).statusCode()).isEqualTo(403);
    assertThat(call("POST", "/admin/reload", ACME).statusCode()).isEqualTo(403);
  }

  /** issue 10 item 2: admin bodies are read strictly; a member the endpoint does not define is named and refused. */
  @Test
  void reloadRefusesABodyItDoesNotDefine() throws Exception {
    HttpResponse<String> res = call("POST", "/admin/reload", ADMIN, "{\"force\":true}");
    assertThat(res.statusCode()).isEqualTo(400);
    assertThat(res.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(res.body()).contains("unknown field 'force'");
    assertThat(call("POST", "/admin/reload", ADMIN, "[]").statusCode()).isEqualTo(400);
    assertThat(call("POST", "/admin/reload", ADMIN, null).statusCode()).isEqualTo(200);
  }

  @Test
  void healthAndMetricsNeedNoToken() throws Exception {
    assertThat(call("GET", "/healthz", null).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/metrics", null).body()).contains("portcullis_requests_in_flight");
    assertThat(call("GET", "/admin/v1/nothing-here", ADMIN).statusCode()).isEqualTo(404);
  }
}

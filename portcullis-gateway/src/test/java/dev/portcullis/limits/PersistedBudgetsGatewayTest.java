package dev.portcullis.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.app.Portcullis;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.LiveConfig;
import dev.portcullis.identity.apikey.ApiKeyService;
import dev.portcullis.identity.store.Plan;
import dev.portcullis.identity.store.PrincipalKind;
import dev.portcullis.identity.store.StoredPrincipal;
import dev.portcullis.identity.store.Tenant;
import dev.portcullis.server.Gateway;
import dev.portcullis.testkit.SimulatedUpstream;
import dev.portcullis.testkit.SimulatorOptions;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A monthly token budget kept in the gateway's SQLite database: a new gateway on the same database (its in-memory
 * limit store empty) still refuses what the budget no longer allows, and the usage endpoint reports the totals.
 */
class PersistedBudgetsGatewayTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final int BUDGET = 600;
  static final String SMALL = "{\"model\":\"sim-small\",\"max_tokens\":20,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"Count to a hundred\"}]}";
  static final String LARGE = SMALL.replace("\"max_tokens\":20", "\"max_tokens\":400");

  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();
  Vertx upstreamVertx;
  SimulatedUpstream upstream;
  Vertx vertx;
  Portcullis portcullis;

  @BeforeEach
  void startUpstream() {
    upstreamVertx = Vertx.vertx();
    upstream = SimulatedUpstream.start(upstreamVertx, SimulatorOptions.defaults().withReplyTokens(20)).await();
  }

  @AfterEach
  void stopAll() {
    stopGateway();
    upstreamVertx.close().await();
  }

  void startGateway() throws Exception {
    String yaml = """
        server: {event-loops: 1, listeners: [{name: public, host: 127.0.0.1, port: 0}]}
        admin: {host: 127.0.0.1, port: 0}
        upstreams: [{name: sim, base-url: "%s", models: [sim-small]}]
        identity:
          store: {sqlite: portcullis.db}
          api-keys: {pepper: "pepper-for-tests-0123456789abcdef0123"}
        limits:
          default-plan: team
          tenant-time-zones: {acme: Pacific/Auckland}
          plans:
            team:
              max-output-tokens: 400
              limits:
                - {name: acme-monthly-tokens, per: [tenant], unit: tokens, algorithm: monthly, limit: %d}
            batch:
              limits:
                - {name: batch-requests, per: [key], unit: requests, algorithm: sliding-window, limit: 7, period: 1m}
        """.formatted(upstream.baseUrl(), BUDGET);
    LiveConfig live = LiveConfig.fixed(ConfigLoader.parse(yaml, Map.<String, String>of()::get, dir,
        Portcullis.SECTIONS));
    vertx = Gateway.createVertx(live.current());
    portcullis = Portcullis.start(vertx, live, Clock.systemUTC());
  }

  void stopGateway() {
    if (portcullis != null) {
      portcullis.stop().await();
      vertx.close().await();
      portcullis = null;
    }
  }

  HttpResponse<String> chat(String key, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + portcullis.gateway().port()
        + "/v1/chat/completions")).header("content-type", "application/json").header("authorization",
        "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode usage(String keyId) throws Exception {
    HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + portcullis.gateway().adminPort() + "/admin/v1/tenants/acme/usage?principal=app&key=" + keyId)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).isEqualTo(200);
    return JSON.readTree(res.body());
  }

  @Test
  void aNewGatewayOnTheSameDatabaseRefusesWhatTheMonthlyBudgetNoLongerAllows() throws Exception {
    startGateway();
    var store = portcullis.identity().store();
    store.createPlan(new Plan("team", ""));
    store.createTenant(new Tenant("acme", "Acme", "team", Instant.now(), false));
    store.createPrincipal(new StoredPrincipal("app", "acme", PrincipalKind.APPLICATION, null, Map.of(),
        Instant.now()));
    var key = portcullis.identity().keys().create(new ApiKeyService.KeySpec("acme", "app", "live", Set.of(),
        List.of(), null));

    // use the budget until a large request (400 output tokens) no longer fits, while small ones still do
    long used = 0;
    int requests = 0;
    while (BUDGET - used >= 250) {
      HttpResponse<String> ok = chat(key.secret(), SMALL);
      assertThat(ok.statusCode()).isEqualTo(200);
      used += JSON.readTree(ok.body()).path("usage").path("total_tokens").asLong();
      requests++;
    }
    assertThat(requests).isGreaterThan(1);
    stopGateway();

    startGateway();
    HttpResponse<String> refused = chat(key.secret(), LARGE);
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(JSON.readTree(refused.body()).path("error").path("message").asText())
        .contains("acme-monthly-tokens");

    JsonNode report = usage(key.record().id());
    JsonNode totals = report.path("totals");
    assertThat(totals.path("time_zone").asText()).isEqualTo("Pacific/Auckland");
    for (String subject : List.of("tenant", "principal", "key")) {
      JsonNode month = totals.path(subject).path("month");
      assertThat(month.path("tokens").asLong()).as(subject).isEqualTo(used);
      assertThat(month.path("requests").asLong()).as(subject).isEqualTo(requests);
    }
    assertThat(totals.path("principal").path("id").asText()).isEqualTo("app");
    JsonNode budget = report.path("limits").get(0);
    assertThat(budget.path("name").asText()).isEqualTo("acme-monthly-tokens");
    assertThat(budget.path("used").asLong()).isEqualTo(used);

    // a request that fits the rest of the budget is still served, and counted
    assertThat(chat(key.secret(), SMALL).statusCode()).isEqualTo(200);
    assertThat(usage(key.record().id()).path("totals").path("tenant").path("month").path("requests").asLong())
        .isEqualTo(requests + 1);
  }

  /** issue 10 item 19: a key with its own plan is reported with that plan's limits, as the limit stage applies them. */
  @Test
  void theUsageEndpointReportsThePlanInForceForAKeyWithItsOwnPlan() throws Exception {
    startGateway();
    var store = portcullis.identity().store();
    store.createPlan(new Plan("team", ""));
    store.createPlan(new Plan("batch", ""));
    store.createTenant(new Tenant("acme", "Acme", "team", Instant.now(), false));
    store.createPrincipal(new StoredPrincipal("app", "acme", PrincipalKind.APPLICATION, null, Map.of(),
        Instant.now()));
    var key = portcullis.identity().keys().create(new ApiKeyService.KeySpec("acme", "app", "live", Set.of(),
        List.of(), null, "batch"));
    assertThat(chat(key.secret(), SMALL).statusCode()).isEqualTo(200);
    for (String query : List.of("principal=app&key=", "key=")) {
      HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + portcullis.gateway().adminPort() + "/admin/v1/tenants/acme/usage?" + query + key.record().id())).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
      JsonNode report = JSON.readTree(res.body());
      assertThat(report.path("plan").asText()).isEqualTo("batch");
      assertThat(report.path("limits").findValuesAsText("name")).containsExactly("batch-requests");
      assertThat(report.path("limits").get(0).path("used").asLong()).isEqualTo(1);
    }
    // a key named beside another principal is not that principal's
    assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + portcullis.gateway().adminPort()
        + "/admin/v1/tenants/acme/usage?principal=other&key=" + key.record().id())).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(404);
  }

  @Test
  void theUsageEndpointRefusesAKeyOfAnotherTenant() throws Exception {
    startGateway();
    var store = portcullis.identity().store();
    store.createPlan(new Plan("team", ""));
    for (String tenant : List.of("acme", "globex")) {
      store.createTenant(new Tenant(tenant, tenant, "team", Instant.now(), false));
      store.createPrincipal(new StoredPrincipal("app", tenant, PrincipalKind.APPLICATION, null, Map.of(),
          Instant.now()));
    }
    var globexKey = portcullis.identity().keys().create(new ApiKeyService.KeySpec("globex", "app", "live",
        Set.of(), List.of(), null));
    HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + portcullis.gateway().adminPort() + "/admin/v1/tenants/acme/usage?key=" + globexKey.record().id())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).isEqualTo(404);
  }
}

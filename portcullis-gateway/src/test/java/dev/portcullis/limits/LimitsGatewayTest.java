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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Limits through the gateway: plans, 429s with headers, token quotas enforced mid-stream, usage chunks. */
class LimitsGatewayTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static Vertx upstreamVertx;
  static SimulatedUpstream upstream;
  static Vertx vertx;
  static Portcullis portcullis;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    upstreamVertx = Vertx.vertx();
    upstream = SimulatedUpstream.start(upstreamVertx,
        SimulatorOptions.defaults().withReplyTokens(120)).await();
    Path dir = Files.createTempDirectory("limits-test");
    String yaml = """
        server: {event-loops: 1, listeners: [{name: public, host: 127.0.0.1, port: 0}]}
        admin: {host: 127.0.0.1, port: 0}
        upstreams: [{name: sim, base-url: "%s", models: [sim-small, sim-large, sim-error-503]}]
        identity:
          store: {sqlite: ids.db}
          api-keys: {pepper: "pepper-for-tests-0123456789abcdef0123"}
        limits:
          default-plan: free
          stream-overflow: cut
          plans:
            free:
              models: [sim-small]
              max-output-tokens: 200
              default-output-tokens: 20
              limits:
                - {name: free-rpm, per: [key], unit: requests, algorithm: sliding-window, limit: 3, period: 1m}
            metered:
              max-output-tokens: 1000
              default-output-tokens: 10
              limits:
                - {name: metered-tpm, per: [key], unit: tokens, algorithm: token-bucket, limit: 80, period: 1h}
        """.formatted(upstream.baseUrl());
    LiveConfig live = LiveConfig.fixed(ConfigLoader.parse(yaml, Map.<String, String>of()::get, dir,
        Portcullis.SECTIONS));
    vertx = Gateway.createVertx(live.current());
    portcullis = Portcullis.start(vertx, live, Clock.systemUTC());
    var store = portcullis.identity().store();
    store.createPlan(new Plan("free", ""));
    store.createPlan(new Plan("metered", ""));
    store.createTenant(new Tenant("acme", "Acme", "free", Instant.now(), false));
    store.createPrincipal(new StoredPrincipal("metered-app", "acme", PrincipalKind.APPLICATION, "metered",
        Map.of(), Instant.now()));
    for (String p : List.of("app1", "app2", "app3", "app4", "app5")) {
      store.createPrincipal(new StoredPrincipal(p, "acme", PrincipalKind.APPLICATION, null, Map.of(),
          Instant.now()));
    }
  }

  @AfterAll
  static void stop() {
    portcullis.stop().await();
    vertx.close().await();
    upstreamVertx.close().await();
  }

  static String key(String principal) {
    return portcullis.identity().keys().create(new ApiKeyService.KeySpec("acme", principal, "live", Set.of(),
        List.of(), null)).secret();
  }

  static HttpResponse<String> chat(String key, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + portcullis.gateway().port()
        + "/v1/chat/completions")).header("content-type", "application/json").header("authorization",
        "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static String body(String model, boolean stream, String extra) {
    return "{\"model\":\"" + model + "\",\"stream\":" + stream + extra
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Count to a hundred\"}]}";
  }

  @Test
  void fourthRequestInAMinuteIsRefusedWithHeadersNamingTheLimit() throws Exception {
    String key = key("app1");
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> ok = chat(key, body("sim-small", false, ",\"max_tokens\":5"));
      assertThat(ok.statusCode()).isEqualTo(200);
      // the gateway's view of the caller's limits, never the upstream's account-wide ones (which it also sends)
      assertThat(ok.headers().allValues("x-ratelimit-limit-requests")).containsExactly("3");
      assertThat(ok.headers().firstValue("x-ratelimit-limit-tokens")).isEmpty();
      assertThat(ok.headers().firstValue("x-ratelimit-remaining-requests")).hasValue(Integer.toString(2 - i));
      assertThat(ok.headers().firstValue("ratelimit-policy")).hasValueSatisfying(v ->
          assertThat(v).contains("\"free-rpm\";q=3;w=60"));
    }
    HttpResponse<String> refused = chat(key, body("sim-small", false, ",\"max_tokens\":5"));
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("retry-after")).hasValueSatisfying(v ->
        assertThat(Long.parseLong(v)).isBetween(1L, 60L));
    JsonNode error = JSON.readTree(refused.body()).path("error");
    assertThat(error.path("type").asText()).isEqualTo("rate_limit_error");
    assertThat(error.path("message").asText()).contains("free-rpm");
    assertThat(error.path("limit").asText()).isEqualTo("free-rpm");
    // another key of the same tenant has its own budget
    assertThat(chat(key("app2"), body("sim-small", false, "")).statusCode()).isEqualTo(200);
  }

  @Test
  void choicesMustBeWholeNumbersAndEveryChoiceIsReserved() throws Exception {
    // issue 10 item 17: n was read leniently and one choice was reserved whatever n said
    String key = key("metered-app");
    for (String n : List.of("\"8\"", "8.0", "-5", "0", "129", "true")) {
      HttpResponse<String> bad = chat(key, body("sim-small", false, ",\"max_tokens\":5,\"n\":" + n));
      assertThat(bad.statusCode()).as("n=" + n).isEqualTo(400);
      JsonNode error = JSON.readTree(bad.body()).path("error");
      assertThat(error.path("param").asText()).isEqualTo("n");
      assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    }
    // 80 tokens an hour: one choice of 30 fits, three choices of 30 never can
    HttpResponse<String> three = chat(key, body("sim-small", false, ",\"max_tokens\":30,\"n\":3"));
    assertThat(three.statusCode()).isEqualTo(429);
    assertThat(JSON.readTree(three.body()).path("error").path("limit").asText()).isEqualTo("metered-tpm");
    // without a maximum, each choice reserves the plan's default output (10): 8 choices need more than 80
    assertThat(chat(key, body("sim-small", false, ",\"n\":8")).statusCode()).isEqualTo(429);
    assertThat(chat(key, body("sim-small", false, ",\"max_tokens\":30,\"n\":1")).statusCode()).isEqualTo(200);
  }

  @Test
  void adminUsageReportsWhatIsUsedAndLeftWithoutCharging() throws Exception {
    var issued = portcullis.identity().keys().create(new ApiKeyService.KeySpec("acme", "app5", "live", Set.of(),
        List.of(), null));
    for (int i = 0; i < 2; i++) {
      assertThat(chat(issued.secret(), body("sim-small", false, ",\"max_tokens\":5")).statusCode()).isEqualTo(200);
    }
    URI usage = URI.create("http://127.0.0.1:" + portcullis.gateway().adminPort()
        + "/admin/v1/tenants/acme/usage?principal=app5&key=" + issued.record().id());
    for (int i = 0; i < 2; i++) {
      JsonNode body = JSON.readTree(http.send(HttpRequest.newBuilder(usage).build(),
          HttpResponse.BodyHandlers.ofString()).body());
      assertThat(body.path("plan").asText()).isEqualTo("free");
      JsonNode rpm = body.path("limits").get(0);
      assertThat(rpm.path("name").asText()).isEqualTo("free-rpm");
      assertThat(rpm.path("used").asLong()).isEqualTo(2);
      assertThat(rpm.path("remaining").asLong()).isEqualTo(1);
    }
    assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + portcullis.gateway().adminPort()
        + "/admin/v1/tenants/nope/usage")).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
        .isEqualTo(404);
  }

  @Test
  void planDecidesModelsAndLargestOutput() throws Exception {
    String key = key("app3");
    HttpResponse<String> model = chat(key, body("sim-large", false, ""));
    // a model outside the plan is answered like one that does not exist: no model names leak
    assertThat(model.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(model.body()).path("error").path("code").asText()).isEqualTo("model_not_found");
    HttpResponse<String> unknown = chat(key, body("no-such-model", false, ""));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(unknown.body()).path("error").path("message").asText())
        .isEqualTo(JSON.readTree(model.body()).path("error").path("message").asText().replace("sim-large",
            "no-such-model"));
    HttpResponse<String> big = chat(key, body("sim-small", false, ",\"max_tokens\":5000"));
    assertThat(big.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(big.body()).path("error").path("param").asText()).isEqualTo("max_tokens");
    HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + portcullis.gateway().port() + "/v1/models")).header("authorization", "Bearer " + key).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(JSON.readTree(models.body()).path("data").findValuesAsText("id")).containsExactly("sim-small");
    // every answer says where the caller stands; refusals by the plan and the model list charge nothing
    for (HttpResponse<String> res : List.of(model, big, models)) {
      assertThat(res.headers().allValues("x-ratelimit-limit-requests")).as(res.uri().getPath()).containsExactly("3");
      assertThat(res.headers().allValues("x-ratelimit-remaining-requests")).containsExactly("3");
      assertThat(res.headers().firstValue("ratelimit-policy")).isPresent();
    }
  }

  @Test
  void planOutputMaximumIsSetOnRequestsThatNameNoneAndBoundsEachChoice() throws Exception {
    String key = key("app3");
    assertThat(chat(key, body("sim-small", false, "")).statusCode()).isEqualTo(200);
    JsonNode sent = JSON.readTree(upstream.lastRequest().body());
    assertThat(sent.path("max_completion_tokens").asLong()).isEqualTo(200);
    assertThat(sent.has("max_tokens")).isFalse();
    // two choices of 150 each are within a plan maximum of 200 per choice
    assertThat(chat(key, body("sim-small", false, ",\"n\":2,\"max_tokens\":150")).statusCode()).isEqualTo(200);
    JsonNode sentN = JSON.readTree(upstream.lastRequest().body());
    assertThat(sentN.path("max_tokens").asLong()).isEqualTo(150);
    assertThat(sentN.has("max_completion_tokens")).isFalse();
    // every field that can bound the output is checked, and must be a whole number
    int received = upstream.received().size();
    HttpResponse<String> both = chat(key, body("sim-small", false, ",\"max_completion_tokens\":10,\"max_tokens\":100000"));
    assertThat(both.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(both.body()).path("error").path("param").asText()).isEqualTo("max_tokens");
    assertThat(chat(key, body("sim-small", false, ",\"max_tokens\":\"100000\"")).statusCode()).isEqualTo(400);
    assertThat(chat(key, body("sim-small", false, ",\"max_tokens\":1e30")).statusCode()).isEqualTo(400);
    assertThat(upstream.received()).hasSize(received);
  }

  @Test
  void upstreamErrorAnswersAreNotChargedToTokenQuotas() throws Exception {
    // each failed call reserves ~20 of the key's 80 tokens; charged in full, the fifth would be refused with 429
    String key = key("metered-app");
    for (int i = 0; i < 8; i++) {
      HttpResponse<String> failed = chat(key, body("sim-error-503", false, ",\"max_tokens\":10"));
      assertThat(failed.statusCode()).as("call %d", i).isEqualTo(503);
    }
    assertThat(chat(key, body("sim-small", false, ",\"max_tokens\":10")).statusCode()).isEqualTo(200);
  }

  @Test
  void aKeysOwnPlanComesBeforeItsTenantsOverTheAdminApi() throws Exception {
    URI keys = URI.create("http://127.0.0.1:" + portcullis.gateway().adminPort() + "/admin/v1/tenants/acme/keys");
    HttpResponse<String> created = http.send(HttpRequest.newBuilder(keys).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"principal\":\"app5\",\"plan\":\"metered\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).isEqualTo(201);
    JsonNode key = JSON.readTree(created.body());
    assertThat(key.path("plan").asText()).isEqualTo("metered");
    // the tenant's plan (free) does not offer sim-large; the key's (metered) does, with its own limits
    HttpResponse<String> res = chat(key.path("key").asText(), body("sim-large", false, ",\"max_tokens\":5"));
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("x-ratelimit-limit-tokens")).hasValue("80");
    HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(keys).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"principal\":\"app5\",\"plan\":\"gold\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(unknown.statusCode()).isEqualTo(422);
    assertThat(unknown.body()).contains("plan 'gold' does not exist");
  }

  @Test
  void streamIsCutWithAnErrorEventWhenItExceedsTheTokenQuota() throws Exception {
    HttpResponse<String> res = chat(key("metered-app"), body("sim-small", true, ""));
    assertThat(res.statusCode()).isEqualTo(200);
    // a stream's headers carry the token limit too, before the first event
    assertThat(res.headers().allValues("x-ratelimit-limit-tokens")).containsExactly("80");
    assertThat(res.headers().firstValue("x-ratelimit-remaining-tokens")).hasValueSatisfying(v ->
        assertThat(Long.parseLong(v)).isBetween(0L, 79L));
    assertThat(res.headers().firstValue("ratelimit")).hasValueSatisfying(v ->
        assertThat(v).startsWith("\"metered-tpm\";r="));
    String[] events = res.body().split("\n\n");
    String last = events[events.length - 1];
    assertThat(last).startsWith("data: ");
    assertThat(JSON.readTree(last.substring(6)).path("error").path("code").asText())
        .isEqualTo("token_quota_exceeded");
    assertThat(res.body()).doesNotContain("[DONE]");
    // fewer content events than the 120 the upstream would have sent
    assertThat(events.length).isLessThan(100);
  }

  @Test
  void aResponsesStreamIsCutWithTheApisErrorEventWhenItExceedsTheTokenQuota() throws Exception {
    // generated text counts whatever form it streams in: message text, or a function call's arguments
    for (String extra : new String[] {"", ",\"tool_choice\":{\"type\":\"function\",\"name\":\"count\"}"}) {
      HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + portcullis.gateway().port() + "/v1/responses")).header("content-type", "application/json")
          .header("authorization", "Bearer " + key("metered-app")).POST(HttpRequest.BodyPublishers.ofString(
              "{\"model\":\"sim-small\",\"stream\":true,\"input\":\"Count to a hundred\"" + extra + "}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(res.statusCode()).isEqualTo(200);
      String[] events = res.body().split("\n\n");
      String last = events[events.length - 1];
      assertThat(last).as(extra).startsWith("event: error").contains("token_quota_exceeded");
      assertThat(res.body()).as(extra).doesNotContain("response.completed");
    }
  }

  @Test
  void usageChunkReachesOnlyClientsThatAskedForIt() throws Exception {
    String key = key("app4");
    HttpResponse<String> silent = chat(key, body("sim-small", true, ",\"max_tokens\":5"));
    assertThat(silent.body()).contains("[DONE]").doesNotContain("\"completion_tokens\"");
    HttpResponse<String> asked = chat(key, body("sim-small", true,
        ",\"max_tokens\":5,\"stream_options\":{\"include_usage\":true}"));
    assertThat(asked.body()).contains("\"completion_tokens\":5");
  }
}

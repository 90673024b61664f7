package dev.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.app.Portcullis;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.LiveConfig;
import dev.portcullis.identity.hmac.HmacSigner;
import dev.portcullis.server.Gateway;
import dev.portcullis.testkit.SimulatedUpstream;
import dev.portcullis.testkit.SimulatorOptions;
import dev.portcullis.testkit.TestRedis;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two gateway instances sharing a real Redis and one store: revocations and nonces hold across them. */
class SharedInstancesTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String CHAT = "{\"model\":\"sim-small\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  static TestRedis redis;
  static Vertx upstreamVertx;
  static SimulatedUpstream upstream;
  static Path dir;
  static Vertx vertxA;
  static Vertx vertxB;
  static Portcullis a;
  static Portcullis b;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    redis = TestRedis.start();
    upstreamVertx = Vertx.vertx();
    upstream = SimulatedUpstream.start(upstreamVertx, SimulatorOptions.defaults()).await();
    dir = Files.createTempDirectory("shared-instances");
    vertxA = Vertx.vertx();
    vertxB = Vertx.vertx();
    a = instance(vertxA);
    b = instance(vertxB);
    var store = a.identity().store();
    store.createPlan(new dev.portcullis.identity.store.Plan("pro", ""));
    store.createTenant(new dev.portcullis.identity.store.Tenant("acme", "Acme", "pro", Instant.now(), false));
    store.createPrincipal(new dev.portcullis.identity.store.StoredPrincipal("app", "acme",
        dev.portcullis.identity.store.PrincipalKind.APPLICATION, null, Map.of(), Instant.now()));
  }

  static Portcullis instance(Vertx vertx) throws Exception {
    String yaml = """
        server: {event-loops: 1, listeners: [{name: public, host: 127.0.0.1, port: 0}]}
        admin: {host: 127.0.0.1, port: 0}
        upstreams: [{name: sim, base-url: "%s", models: [sim-small]}]
        redis: {url: "%s", prefix: "shared-test:"}
        identity:
          store: {sqlite: shared.db}
          api-keys: {pepper: "pepper-for-tests-0123456789abcdef0123", cache-ttl: 1h}
          signed-requests: {enabled: true}
          oauth: {issuer: "http://127.0.0.1", audience: portcullis, token-ttl: 5m}
        """.formatted(upstream.baseUrl(), redis.uri());
    return Portcullis.start(vertx, LiveConfig.fixed(ConfigLoader.parse(yaml, Map.<String, String>of()::get, dir,
        Portcullis.SECTIONS)), Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    a.stop().await();
    b.stop().await();
    vertxA.close().await();
    vertxB.close().await();
    upstreamVertx.close().await();
    redis.close();
  }

  static int chat(Portcullis instance, String authorization) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.gateway().port()
        + "/v1/chat/completions")).header("content-type", "application/json")
        .header("authorization", authorization).POST(HttpRequest.BodyPublishers.ofString(CHAT)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  static JsonNode newKey(Portcullis instance) throws Exception {
    HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + instance.gateway().adminPort() + "/admin/v1/tenants/acme/keys")).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"principal\":\"app\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    return JSON.readTree(res.body());
  }

  @Test
  void keyRevokedOnOneInstanceIsRefusedOnTheOtherWithinOneSecond() throws Exception {
    JsonNode key = newKey(a);
    String bearer = "Bearer " + key.path("key").asText();
    assertThat(chat(b, bearer)).isEqualTo(200);
    HttpResponse<String> revoked = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + a.gateway().adminPort() + "/admin/v1/tenants/acme/keys/" + key.path("id").asText() + "/revoke"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(revoked.statusCode()).isEqualTo(200);
    // b cached the key for an hour: only the invalidation over Redis can make it refuse now
    Awaitility.await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50))
        .until(() -> chat(b, bearer) == 401);
  }

  /** Registers a client through {@code a}'s admin API: its id and its Basic credentials. */
  static String[] newClient() throws Exception {
    HttpResponse<String> registered = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + a.gateway().adminPort() + "/admin/v1/tenants/acme/oauth-clients")).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"shared-bot\",\"principal\":\"app\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
    JsonNode client = JSON.readTree(registered.body());
    String id = client.path("client_id").asText();
    return new String[] {id, "Basic " + java.util.Base64.getEncoder().encodeToString(
        (id + ":" + client.path("client_secret").asText()).getBytes())};
  }

  @Test
  void accessTokenRevokedOnOneInstanceIsRefusedOnTheOtherWithinTwoSeconds() throws Exception {
    String basic = newClient()[1];
    String token = JSON.readTree(oauth(a, "/oauth2/token", "grant_type=client_credentials", basic).body())
        .path("access_token").asText();
    assertThat(chat(b, "Bearer " + token)).isEqualTo(200); // b has verified and cached it

    assertThat(oauth(a, "/oauth2/revoke", "token=" + token, basic).statusCode()).isEqualTo(200);
    // one store refresh period (1 s) plus the time a refresh takes
    Awaitility.await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
        .until(() -> chat(b, "Bearer " + token) == 401);
    assertThat(JSON.readTree(oauth(b, "/oauth2/introspect", "token=" + token, basic).body()).path("active")
        .asBoolean()).isFalse();
  }

  /** issue 10 item 16: revoking a client on one instance ends its tokens on the other within one refresh. */
  @Test
  void clientRevokedOnOneInstanceLosesItsTokensOnTheOtherWithinTwoSeconds() throws Exception {
    String[] client = newClient();
    String token = JSON.readTree(oauth(a, "/oauth2/token", "grant_type=client_credentials", client[1]).body())
        .path("access_token").asText();
    assertThat(chat(b, "Bearer " + token)).isEqualTo(200); // b has verified and cached it

    HttpResponse<String> revoked = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + a.gateway().adminPort() + "/admin/v1/tenants/acme/oauth-clients/" + client[0] + "/revoke"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
    assertThat(chat(a, "Bearer " + token)).isEqualTo(401);
    Awaitility.await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
        .until(() -> chat(b, "Bearer " + token) == 401);
  }

  static HttpResponse<String> oauth(Portcullis instance, String path, String form, String basic) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.gateway().port() + path))
        .header("content-type", "application/x-www-form-urlencoded").header("authorization", basic)
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void signedRequestReplayedToAnotherInstanceIsRefused() throws Exception {
    JsonNode key = newKey(a);
    String authorization = new HmacSigner(key.path("id").asText(), key.path("signing_secret").asText())
        .authorization("POST", "/v1/chat/completions", null, CHAT.getBytes(StandardCharsets.UTF_8), Instant.now());
    assertThat(chat(a, authorization)).isEqualTo(200);
    assertThat(chat(b, authorization)).isEqualTo(403);
  }
}

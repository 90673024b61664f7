package dev.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * API keys end to end: created through the admin API, used on the data plane, rotated and revoked; tenant admins
 * confined to their tenant; refusals that do not help enumerate keys.
 */
class IdentityGatewayTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String ROOT = "root-admin-token-000000";
  static final String ACME_ADMIN = "acme-admin-token-111111";
  static final String CHAT = "{\"model\":\"sim-small\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  static Vertx upstreamVertx;
  static Vertx vertx;
  static Portcullis portcullis;
  static Path dir;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    upstreamVertx = Vertx.vertx();
    SimulatedUpstream upstream = SimulatedUpstream.start(upstreamVertx, SimulatorOptions.defaults()).await();
    dir = Files.createTempDirectory("identity-test");
    String yaml = """
        server: {event-loops: 1, listeners: [{name: public, host: 127.0.0.1, port: 0}], trusted-proxies: [127.0.0.1]}
        admin:
          host: 127.0.0.1
          port: 0
          users:
            - {name: root, token: %s, role: admin}
            - {name: acme-ops, token: %s, role: tenant-admin, tenant: acme, scopes: [chat]}
        upstreams: [{name: sim, base-url: "%s", models: [sim-small]}]
        identity:
          store: {sqlite: ids.db}
          api-keys: {pepper: "${env:PEPPER}"}
          signed-requests: {enabled: true, skew: 60s}
          oauth: {issuer: "http://127.0.0.1", audience: portcullis, token-ttl: 5m}
        """.formatted(ROOT, ACME_ADMIN, upstream.baseUrl());
    LiveConfig live = LiveConfig.fixed(ConfigLoader.parse(yaml,
        Map.of("PEPPER", "pepper-for-tests-0123456789abcdef0123")::get, dir, Portcullis.SECTIONS));
    vertx = Gateway.createVertx(live.current());
    portcullis = Portcullis.start(vertx, live, Clock.systemUTC());
    assertThat(admin("POST", "/admin/v1/plans", ROOT, "{\"name\":\"pro\"}").statusCode()).isEqualTo(201);
    for (String tenant : new String[] {"acme", "globex"}) {
      assertThat(admin("POST", "/admin/v1/tenants", ROOT, "{\"id\":\"" + tenant + "\",\"plan\":\"pro\"}")
          .statusCode()).isEqualTo(201);
      assertThat(admin("POST", "/admin/v1/tenants/" + tenant + "/principals", ROOT, "{\"id\":\"app\"}")
          .statusCode()).isEqualTo(201);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    portcullis.stop().await();
    vertx.close().await();
    upstreamVertx.close().await();
  }

  static HttpResponse<String> admin(String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + portcullis.gateway().adminPort() + path)).header("authorization", "Bearer " + token)
        .header("content-type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> chat(String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + portcullis.gateway().port()
        + "/v1/chat/completions")).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(CHAT));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode newKey(String tenant, String token) throws Exception {
    HttpResponse<String> res = admin("POST", "/admin/v1/tenants/" + tenant + "/keys", token,
        "{\"principal\":\"app\",\"environment\":\"live\",\"scopes\":[\"chat\"]}");
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    return JSON.readTree(res.body());
  }

  @Test
  void keyCreatedByAdminApiAuthenticatesChat() throws Exception {
    JsonNode key = newKey("acme", ROOT);
    assertThat(key.path("key").asText()).startsWith("pc_live_");
    assertThat(chat("authorization", "Bearer " + key.path("key").asText()).statusCode()).isEqualTo(200);
    assertThat(chat("x-api-key", key.path("key").asText()).statusCode()).isEqualTo(200);
  }

  @Test
  void aPinnedKeyIsCheckedAgainstTheClientATrustedProxyNames() throws Exception {
    HttpResponse<String> res = admin("POST", "/admin/v1/tenants/acme/keys", ROOT,
        "{\"principal\":\"app\",\"allowed_cidrs\":[\"203.0.113.0/24\"]}");
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    String bearer = "Bearer " + JSON.readTree(res.body()).path("key").asText();
    // the peer (127.0.0.1) is a trusted proxy: the client is the right-most address it did not add itself
    assertThat(chat("authorization", bearer, "x-forwarded-for", "203.0.113.7").statusCode()).isEqualTo(200);
    assertThat(chat("authorization", bearer, "x-forwarded-for", "198.51.100.1, 203.0.113.7, 127.0.0.1")
        .statusCode()).isEqualTo(200);
    // a client cannot smuggle an allowed address in front of its own
    assertThat(chat("authorization", bearer, "x-forwarded-for", "203.0.113.7, 198.51.100.1").statusCode())
        .isEqualTo(403);
    assertThat(chat("authorization", bearer, "x-forwarded-for", "203.0.113.7, not-an-ip").statusCode())
        .isEqualTo(403);
    assertThat(chat("authorization", bearer).statusCode()).isEqualTo(403);
  }

  @Test
  void refusalsLookAlikeAndCarryAChallenge() throws Exception {
    JsonNode key = newKey("acme", ROOT);
    String real = key.path("key").asText();
    String typo = real.substring(0, real.length() - 1) + (real.endsWith("A") ? "B" : "A");
    HttpResponse<String> missing = chat();
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"portcullis\"");
    HttpResponse<String> bad = chat("authorization", "Bearer " + typo);
    HttpResponse<String> garbage = chat("authorization", "Bearer not-a-key-or-token");
    assertThat(bad.statusCode()).isEqualTo(401);
    assertThat(bad.headers().firstValue("www-authenticate"))
        .hasValue("Bearer realm=\"portcullis\", error=\"invalid_token\"");
    assertThat(bad.body()).isEqualTo(garbage.body()).contains("invalid_api_key").doesNotContain(typo);
  }

  @Test
  void revokedKeyStopsWorkingAtOnceWithTheSameRefusal() throws Exception {
    JsonNode key = newKey("acme", ROOT);
    String secret = key.path("key").asText();
    assertThat(chat("authorization", "Bearer " + secret).statusCode()).isEqualTo(200);
    assertThat(admin("POST", "/admin/v1/tenants/acme/keys/" + key.path("id").asText() + "/revoke", ROOT, null)
        .statusCode()).isEqualTo(200);
    HttpResponse<String> after = chat("authorization", "Bearer " + secret);
    assertThat(after.statusCode()).isEqualTo(401);
    assertThat(after.body()).isEqualTo(chat("authorization", "Bearer pc_live_unknown").body());
  }

  @Test
  void rotationKeepsTheOldKeyDuringGraceAndIssuesANewOne() throws Exception {
    JsonNode key = newKey("acme", ROOT);
    HttpResponse<String> rotated = admin("POST", "/admin/v1/tenants/acme/keys/" + key.path("id").asText()
        + "/rotate", ROOT, "{\"grace_seconds\":600}");
    assertThat(rotated.statusCode()).isEqualTo(201);
    String fresh = JSON.readTree(rotated.body()).path("key").asText();
    assertThat(fresh).isNotEqualTo(key.path("key").asText());
    assertThat(chat("authorization", "Bearer " + key.path("key").asText()).statusCode()).isEqualTo(200);
    assertThat(chat("authorization", "Bearer " + fresh).statusCode()).isEqualTo(200);
  }

  @Test
  void listsNeverShowSecrets() throws Exception {
    JsonNode key = newKey("acme", ROOT);
    HttpResponse<String> list = admin("GET", "/admin/v1/tenants/acme/keys", ROOT, null);
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body()).contains(key.path("id").asText()).doesNotContain(key.path("key").asText())
        .doesNotContain("\"hash\"");
  }

  @Test
  void tenantAdminCannotSeeOrChangeAnotherTenant() throws Exception {
    JsonNode globexKey = newKey("globex", ROOT);
    String id = globexKey.path("id").asText();
    assertThat(admin("GET", "/admin/v1/tenants/globex/keys", ACME_ADMIN, null).statusCode()).isEqualTo(403);
    assertThat(admin("POST", "/admin/v1/tenants/globex/keys", ACME_ADMIN, "{\"principal\":\"app\"}").statusCode())
        .isEqualTo(403);
    assertThat(admin("POST", "/admin/v1/tenants/globex/keys/" + id + "/revoke", ACME_ADMIN, null).statusCode())
        .isEqualTo(403);
    assertThat(admin("GET", "/admin/v1/tenants/globex/principals", ACME_ADMIN, null).statusCode()).isEqualTo(403);
    assertThat(admin("GET", "/admin/v1/tenants/globex", ACME_ADMIN, null).statusCode()).isEqualTo(403);
    // through its own tenant's path, another tenant's key does not exist
    assertThat(admin("POST", "/admin/v1/tenants/acme/keys/" + id + "/revoke", ACME_ADMIN, null).statusCode())
        .isEqualTo(404);
    assertThat(admin("GET", "/admin/v1/tenants/acme/keys/" + id, ACME_ADMIN, null).statusCode()).isEqualTo(404);
    assertThat(admin("GET", "/admin/v1/tenants", ACME_ADMIN, null).body()).contains("acme").doesNotContain("globex");
    assertThat(admin("POST", "/admin/v1/tenants", ACME_ADMIN, "{\"id\":\"evil\",\"plan\":\"pro\"}").statusCode())
        .isEqualTo(403);
    // and its own tenant works
    assertThat(newKey("acme", ACME_ADMIN).path("key").asText()).startsWith("pc_live_");
    assertThat(chat("authorization", "Bearer " + globexKey.path("key").asText()).statusCode()).isEqualTo(200);
  }

  record Cli(int code, String out, String err) {}

  static Cli cli(String... args) {
    picocli.CommandLine cl = dev.portcullis.cli.Main.commandLine();
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    cl.setOut(new java.io.PrintWriter(out));
    cl.setErr(new java.io.PrintWriter(err));
    return new Cli(cl.execute(args), out.toString(), err.toString());
  }

  /** Every tenant-scoped admin endpoint refuses another tenant's admin, and leaves the tenant unchanged. */
  @Test
  void everyTenantScopedEndpointRefusesAnotherTenantsAdmin() throws Exception {
    JsonNode key = newKey("globex", ROOT);
    String id = key.path("id").asText();
    HttpResponse<String> client = admin("POST", "/admin/v1/tenants/globex/oauth-clients", ROOT,
        "{\"name\":\"globex-bot\",\"principal\":\"app\"}");
    String clientId = JSON.readTree(client.body()).path("client_id").asText();
    String[][] endpoints = {
        {"GET", "/admin/v1/tenants/globex", null},
        {"GET", "/admin/v1/tenants/globex/principals", null},
        {"POST", "/admin/v1/tenants/globex/principals", "{\"id\":\"intruder\"}"},
        {"GET", "/admin/v1/tenants/globex/keys", null},
        {"POST", "/admin/v1/tenants/globex/keys", "{\"principal\":\"app\"}"},
        {"GET", "/admin/v1/tenants/globex/keys/" + id, null},
        {"POST", "/admin/v1/tenants/globex/keys/" + id + "/rotate", "{}"},
        {"POST", "/admin/v1/tenants/globex/keys/" + id + "/revoke", null},
        {"POST", "/admin/v1/tenants/globex/oauth-clients", "{\"name\":\"x\",\"principal\":\"app\"}"},
        {"POST", "/admin/v1/tenants/globex/oauth-clients/" + clientId + "/revoke", null},
        {"POST", "/admin/v1/tenants", "{\"id\":\"evil\",\"plan\":\"pro\"}"},
        {"PATCH", "/admin/v1/tenants/globex", "{\"plan\":\"pro\"}"},
        {"PATCH", "/admin/v1/tenants/acme", "{\"allowed_plans\":[\"pro\"]}"},
        {"POST", "/admin/v1/plans", "{\"name\":\"evil\"}"},
        {"POST", "/admin/reload", null},
    };
    for (String[] e : endpoints) {
      HttpResponse<String> res = admin(e[0], e[1], ACME_ADMIN, e[2]);
      assertThat(res.statusCode()).as("%s %s", e[0], e[1]).isEqualTo(403);
      assertThat(res.headers().firstValue("content-type")).hasValue("application/problem+json");
    }
    // nothing changed: the key still works and no intruder principal exists
    assertThat(chat("authorization", "Bearer " + key.path("key").asText()).statusCode()).isEqualTo(200);
    assertThat(admin("GET", "/admin/v1/tenants/globex/principals", ROOT, null).body()).doesNotContain("intruder");
  }

  @Test
  void cliManagesPlansTenantsAndKeysThroughTheAdminApi() throws Exception {
    String url = "http://127.0.0.1:" + portcullis.gateway().adminPort();
    assertThat(cli("plans", "create", "team", "--admin-url", url, "--admin-token", ROOT).code()).isZero();
    assertThat(cli("tenants", "create", "initech", "--plan", "team", "--admin-url", url, "--admin-token", ROOT)
        .out()).contains("created tenant initech on plan team");
    Cli created = cli("keys", "create", "--tenant", "initech", "--plan", "team", "--admin-url", url,
        "--admin-token", ROOT);
    assertThat(created.code()).isZero();
    String secret = created.out().strip();
    assertThat(secret).startsWith("pc_live_");
    assertThat(created.err()).contains("shown only once");
    assertThat(chat("authorization", "Bearer " + secret).statusCode()).isEqualTo(200);

    Cli list = cli("keys", "list", "--tenant", "initech", "--admin-url", url, "--admin-token", ROOT);
    assertThat(list.out()).contains("default").contains("active").doesNotContain(secret);
    String keyId = list.out().lines().skip(1).findFirst().orElseThrow().split("\t")[0];
    assertThat(cli("keys", "revoke", keyId, "--tenant", "initech", "--admin-url", url, "--admin-token", ROOT)
        .out()).contains("revoked key " + keyId);
    assertThat(chat("authorization", "Bearer " + secret).statusCode()).isEqualTo(401);
  }

  @Test
  void cliExplainsRefusalsAndBadInput() {
    String url = "http://127.0.0.1:" + portcullis.gateway().adminPort();
    Cli forbidden = cli("keys", "create", "--tenant", "globex", "--admin-url", url, "--admin-token", ACME_ADMIN);
    assertThat(forbidden.code()).isEqualTo(1);
    assertThat(forbidden.err()).contains("portcullis: Forbidden");
    Cli noToken = cli("tenants", "list", "--admin-url", url, "--admin-token", "");
    assertThat(noToken.code()).isEqualTo(1);
    assertThat(noToken.err()).contains("Unauthorized").contains("PORTCULLIS_ADMIN_TOKEN");
    Cli missingOption = cli("keys", "create", "--admin-url", url);
    assertThat(missingOption.code()).isEqualTo(2);
    assertThat(missingOption.err()).contains("Missing required option: '--tenant=<tenant>'");
    Cli unreachable = cli("tenants", "list", "--admin-url", "http://127.0.0.1:1");
    assertThat(unreachable.code()).isEqualTo(1);
    assertThat(unreachable.err()).contains("cannot reach the admin API");
  }

  @Test
  void signedRequestIsAcceptedOnceAndItsReplayRefused() throws Exception {
    JsonNode key = newKey("acme", ROOT);
    String secret = key.path("signing_secret").asText();
    assertThat(secret).isNotBlank();
    var signer = new dev.portcullis.identity.hmac.HmacSigner(key.path("id").asText(), secret);
    String authorization = signer.authorization("POST", "/v1/chat/completions", null,
        CHAT.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.time.Instant.now());
    assertThat(chat("authorization", authorization).statusCode()).isEqualTo(200);
    HttpResponse<String> replay = chat("authorization", authorization);
    assertThat(replay.statusCode()).isEqualTo(403);
    String tampered = signer.authorization("POST", "/v1/chat/completions", null,
        "{\"model\":\"sim-large\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8), java.time.Instant.now());
    assertThat(chat("authorization", tampered).statusCode()).isEqualTo(401);
  }

  static HttpResponse<String> publicCall(String method, String path, String form, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + portcullis.gateway().port()
        + path)).method(method, form == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(form));
    if (form != null) {
      b.header("content-type", "application/x-www-form-urlencoded");
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String basic(String id, String secret) {
    return "Basic " + java.util.Base64.getEncoder().encodeToString((id + ":" + secret).getBytes());
  }

  @Test
  void oauthClientCredentialsTokensAuthenticateAndCanBeRevoked() throws Exception {
    HttpResponse<String> registered = admin("POST", "/admin/v1/tenants/acme/oauth-clients", ROOT,
        "{\"name\":\"billing-bot\",\"principal\":\"app\",\"scopes\":[\"chat\",\"embed\"]}");
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
    String secret = JSON.readTree(registered.body()).path("client_secret").asText();
    String id = JSON.readTree(registered.body()).path("client_id").asText();
    assertThat(id).startsWith("billing-bot-");

    HttpResponse<String> token = publicCall("POST", "/oauth2/token", "grant_type=client_credentials&scope=chat",
        "authorization", basic(id, secret));
    assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
    JsonNode issued = JSON.readTree(token.body());
    assertThat(issued.path("token_type").asText()).isEqualTo("Bearer");
    assertThat(issued.path("scope").asText()).isEqualTo("chat");
    String accessToken = issued.path("access_token").asText();
    assertThat(chat("authorization", "Bearer " + accessToken).statusCode()).isEqualTo(200);

    HttpResponse<String> post = publicCall("POST", "/oauth2/token",
        "grant_type=client_credentials&client_id=" + id + "&client_secret=" + secret);
    assertThat(post.statusCode()).isEqualTo(200);

    HttpResponse<String> active = publicCall("POST", "/oauth2/introspect", "token=" + accessToken,
        "authorization", basic(id, secret));
    assertThat(JSON.readTree(active.body()).path("active").asBoolean()).isTrue();
    assertThat(publicCall("POST", "/oauth2/revoke", "token=" + accessToken, "authorization",
        basic(id, secret)).statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(publicCall("POST", "/oauth2/introspect", "token=" + accessToken, "authorization",
        basic(id, secret)).body()).path("active").asBoolean()).isFalse();
    assertThat(chat("authorization", "Bearer " + accessToken).statusCode()).isEqualTo(401);
  }

  @Test
  void oauthClientsCanAuthenticateWithSignedAssertions() throws Exception {
    com.nimbusds.jose.jwk.ECKey key = new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256)
        .keyID("signer-1").generate();
    HttpResponse<String> registered = admin("POST", "/admin/v1/tenants/acme/oauth-clients", ROOT,
        "{\"name\":\"key-bot\",\"principal\":\"app\",\"scopes\":[\"chat\"],\"jwks\":"
            + new com.nimbusds.jose.jwk.JWKSet(key.toPublicJWK()) + "}");
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
    String id = JSON.readTree(registered.body()).path("client_id").asText();
    assertThat(JSON.readTree(registered.body()).has("client_secret")).isFalse();
    assertThat(admin("POST", "/admin/v1/tenants/acme/oauth-clients", ROOT,
        "{\"name\":\"leaky-bot\",\"principal\":\"app\",\"jwks\":" + new com.nimbusds.jose.jwk.JWKSet(key)
            .toString(false) + "}").statusCode()).as("a private key is refused").isEqualTo(422);

    String assertion = assertion(key, id);
    String form = "grant_type=client_credentials&client_assertion_type="
        + "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=";
    HttpResponse<String> token = publicCall("POST", "/oauth2/token", form + assertion);
    assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
    String accessToken = JSON.readTree(token.body()).path("access_token").asText();
    assertThat(chat("authorization", "Bearer " + accessToken).statusCode()).isEqualTo(200);
    HttpResponse<String> replay = publicCall("POST", "/oauth2/token", form + assertion);
    assertThat(replay.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(replay.body()).path("error").asText()).isEqualTo("invalid_client");
    assertThat(JSON.readTree(publicCall("POST", "/oauth2/introspect", "token=" + accessToken + "&"
        + form.substring(form.indexOf("client_assertion_type")) + assertion(key, id)).body())
        .path("active").asBoolean()).isTrue();
    JsonNode meta = JSON.readTree(publicCall("GET", "/.well-known/oauth-authorization-server", null).body());
    assertThat(meta.path("token_endpoint_auth_methods_supported").toString()).contains("private_key_jwt");
  }

  static String assertion(com.nimbusds.jose.jwk.ECKey key, String clientId) throws Exception {
    var jwt = new com.nimbusds.jwt.SignedJWT(new com.nimbusds.jose.JWSHeader.Builder(
        com.nimbusds.jose.JWSAlgorithm.ES256).keyID(key.getKeyID()).build(),
        new com.nimbusds.jwt.JWTClaimsSet.Builder().issuer(clientId).subject(clientId)
            .audience("http://127.0.0.1/oauth2/token").jwtID(java.util.UUID.randomUUID().toString())
            .expirationTime(new java.util.Date(System.currentTimeMillis() + 60_000)).build());
    jwt.sign(new com.nimbusds.jose.crypto.ECDSASigner(key));
    return jwt.serialize();
  }

  @Test
  void oauthRefusesWhatTheClientMayNotHave() throws Exception {
    HttpResponse<String> registered = admin("POST", "/admin/v1/tenants/acme/oauth-clients", ROOT,
        "{\"name\":\"narrow-bot\",\"principal\":\"app\",\"scopes\":[\"chat\"]}");
    String secret = JSON.readTree(registered.body()).path("client_secret").asText();
    String id = JSON.readTree(registered.body()).path("client_id").asText();
    HttpResponse<String> scope = publicCall("POST", "/oauth2/token", "grant_type=client_credentials&scope=admin",
        "authorization", basic(id, secret));
    assertThat(scope.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(scope.body()).path("error").asText()).isEqualTo("invalid_scope");
    HttpResponse<String> wrong = publicCall("POST", "/oauth2/token", "grant_type=client_credentials",
        "authorization", basic(id, "wrong-secret"));
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.headers().firstValue("www-authenticate")).hasValue("Basic realm=\"portcullis\"");
    assertThat(JSON.readTree(wrong.body()).path("error").asText()).isEqualTo("invalid_client");
    HttpResponse<String> grant = publicCall("POST", "/oauth2/token", "grant_type=password",
        "authorization", basic(id, secret));
    assertThat(JSON.readTree(grant.body()).path("error").asText()).isEqualTo("unsupported_grant_type");
    HttpResponse<String> twice = publicCall("POST", "/oauth2/token",
        "grant_type=client_credentials&grant_type=client_credentials", "authorization", basic(id, secret));
    assertThat(JSON.readTree(twice.body()).path("error").asText()).isEqualTo("invalid_request");
    assertThat(publicCall("GET", "/oauth2/token", null).statusCode()).isEqualTo(405);
  }

  @Test
  void oauthPublishesJwksAndMetadata() throws Exception {
    JsonNode jwks = JSON.readTree(publicCall("GET", "/.well-known/jwks.json", null).body());
    assertThat(jwks.path("keys").get(0).path("kty").asText()).isEqualTo("EC");
    assertThat(jwks.toString()).doesNotContain("\"d\"");
    JsonNode meta = JSON.readTree(publicCall("GET", "/.well-known/oauth-authorization-server", null).body());
    assertThat(meta.path("issuer").asText()).isEqualTo("http://127.0.0.1");
    assertThat(meta.path("token_endpoint").asText()).isEqualTo("http://127.0.0.1/oauth2/token");
  }

  /** issue 10 item 15: a rotated key keeps its lifetime; an expired key is not renewed into one that never expires. */
  @Test
  void rotationKeepsTheKeysLifetimeAndRefusesAnExpiredKey() throws Exception {
    HttpResponse<String> dated = admin("POST", "/admin/v1/tenants/acme/keys", ROOT,
        "{\"principal\":\"app\",\"expires_in_days\":30}");
    JsonNode rotated = JSON.readTree(admin("POST", "/admin/v1/tenants/acme/keys/"
        + JSON.readTree(dated.body()).path("id").asText() + "/rotate", ROOT, "{}").body());
    java.time.Instant expiry = java.time.Instant.parse(rotated.path("expires_at").asText());
    assertThat(expiry).isBetween(java.time.Instant.now().plus(java.time.Duration.ofDays(30)).minusSeconds(60),
        java.time.Instant.now().plus(java.time.Duration.ofDays(30)).plusSeconds(60));

    HttpResponse<String> brief = admin("POST", "/admin/v1/tenants/acme/keys", ROOT,
        "{\"principal\":\"app\",\"expires_at\":\"" + java.time.Instant.now().plusSeconds(1) + "\"}");
    JsonNode key = JSON.readTree(brief.body());
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
        .until(() -> chat("authorization", "Bearer " + key.path("key").asText()).statusCode() == 401);
    HttpResponse<String> refused = admin("POST", "/admin/v1/tenants/acme/keys/" + key.path("id").asText()
        + "/rotate", ROOT, "{}");
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
    assertThat(refused.body()).contains("expired").doesNotContain("pc_live_");
  }

  /** issue 10 item 16: revoking a client ends the tokens it holds at once, and it gets no new ones. */
  @Test
  void revokingAnOAuthClientEndsItsLiveTokens() throws Exception {
    JsonNode client = JSON.readTree(admin("POST", "/admin/v1/tenants/acme/oauth-clients", ROOT,
        "{\"principal\":\"app\"}").body());
    String basic = basic(client.path("client_id").asText(), client.path("client_secret").asText());
    String token = JSON.readTree(publicCall("POST", "/oauth2/token", "grant_type=client_credentials",
        "authorization", basic).body()).path("access_token").asText();
    assertThat(chat("authorization", "Bearer " + token).statusCode()).isEqualTo(200);
    HttpResponse<String> revoked = admin("POST", "/admin/v1/tenants/acme/oauth-clients/"
        + client.path("client_id").asText() + "/revoke", ROOT, null);
    assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
    assertThat(chat("authorization", "Bearer " + token).statusCode()).isEqualTo(401);
    assertThat(publicCall("POST", "/oauth2/token", "grant_type=client_credentials", "authorization", basic)
        .statusCode()).isEqualTo(401);
  }

  /**
   * issue 10 item 22: another tenant's client learns nothing by introspecting a token, and client ids are generated,
   * so registering one reveals nothing about other tenants' ids.
   */
  @Test
  void clientsOfAnotherTenantLearnNothingAboutTokensOrClientIds() throws Exception {
    JsonNode acme = JSON.readTree(admin("POST", "/admin/v1/tenants/acme/oauth-clients", ROOT,
        "{\"name\":\"same-name\",\"principal\":\"app\"}").body());
    HttpResponse<String> twin = admin("POST", "/admin/v1/tenants/globex/oauth-clients", ROOT,
        "{\"name\":\"same-name\",\"principal\":\"app\"}");
    assertThat(twin.statusCode()).as(twin.body()).isEqualTo(201);
    JsonNode globex = JSON.readTree(twin.body());
    assertThat(globex.path("client_id").asText()).startsWith("same-name-").isNotEqualTo(acme.path("client_id").asText());
    assertThat(admin("POST", "/admin/v1/tenants/globex/oauth-clients", ROOT,
        "{\"client_id\":\"" + acme.path("client_id").asText() + "\",\"principal\":\"app\"}").statusCode())
        .isEqualTo(400);

    String acmeBasic = basic(acme.path("client_id").asText(), acme.path("client_secret").asText());
    String token = JSON.readTree(publicCall("POST", "/oauth2/token", "grant_type=client_credentials",
        "authorization", acmeBasic).body()).path("access_token").asText();
    HttpResponse<String> foreign = publicCall("POST", "/oauth2/introspect", "token=" + token, "authorization",
        basic(globex.path("client_id").asText(), globex.path("client_secret").asText()));
    assertThat(foreign.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(foreign.body())).isEqualTo(JSON.readTree("{\"active\":false}"));
    JsonNode own = JSON.readTree(publicCall("POST", "/oauth2/introspect", "token=" + token, "authorization",
        acmeBasic).body());
    assertThat(own.path("active").asBoolean()).isTrue();
    assertThat(own.path("tenant").asText()).isEqualTo("acme");
  }

  /** issue 10 item 23: the database the gateway created is readable by its owner only. */
  @Test
  void theIdentityDatabaseIsReadableByItsOwnerOnly() throws Exception {
    for (String name : new String[] {"ids.db", "ids.db-wal", "ids.db-shm"}) {
      Path file = dir.resolve(name);
      assertThat(file).exists();
      assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .as(name).isEqualTo("rw-------");
    }
  }

  @Test
  void badAdminInputIsAProblemNamingTheField() throws Exception {
    HttpResponse<String> res = admin("POST", "/admin/v1/tenants/acme/keys", ROOT, "{\"environment\":\"live\"}");
    assertThat(res.statusCode()).isEqualTo(422);
    assertThat(res.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(res.body()).contains("'principal' is required");
    assertThat(admin("POST", "/admin/v1/tenants/acme/keys", ROOT, "{not json").statusCode()).isEqualTo(400);
    assertThat(admin("POST", "/admin/v1/tenants/nope/keys", ROOT, "{\"principal\":\"app\"}").statusCode())
        .isEqualTo(404);
    assertThat(admin("POST", "/admin/v1/tenants", ROOT, "{\"id\":\"acme\",\"plan\":\"pro\"}").statusCode())
        .isEqualTo(409);
  }
}

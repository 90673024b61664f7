package dev.portcullis.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.app.Portcullis;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.LiveConfig;
import dev.portcullis.identity.hmac.HmacSigner;
import dev.portcullis.identity.store.Plan;
import dev.portcullis.identity.store.PrincipalKind;
import dev.portcullis.identity.store.StoredPrincipal;
import dev.portcullis.identity.store.Tenant;
import dev.portcullis.server.Gateway;
import dev.portcullis.testkit.SimulatedUpstream;
import dev.portcullis.testkit.SimulatorOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 item 1: per-key limits hold for every credential type. Each credential gets three requests a minute from
 * its plan's {@code per: [key]} rule and one in flight; the fourth is refused, the refusal and the
 * {@code RateLimit-Policy} header name the per-key rule, and the usage ledger counts the requests under the
 * credential's limit key. A signed request and the same key as a bearer share one budget; new OAuth tokens for the
 * same client do not reset it.
 */
class EveryCredentialLimitsTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String ROOT = "root-admin-token-000000";
  static final SelfSignedCertificate SERVER = SelfSignedCertificate.create("localhost");
  static final SelfSignedCertificate CLIENT_CERT = SelfSignedCertificate.create("billing-bot");
  static final String CHAT = "{\"model\":\"sim-small\",\"max_tokens\":5,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  static Vertx upstreamVertx;
  static Vertx vertx;
  static Vertx clientVertx;
  static HttpClient client;
  static Portcullis portcullis;
  static ECKey idpKey;

  @BeforeAll
  static void start() throws Exception {
    upstreamVertx = Vertx.vertx();
    clientVertx = Vertx.vertx();
    SimulatedUpstream upstream = SimulatedUpstream.start(upstreamVertx, SimulatorOptions.defaults()).await();
    Path dir = Files.createTempDirectory("credential-limits");
    idpKey = new ECKeyGenerator(Curve.P_256).keyID("idp-1").generate();
    Files.writeString(dir.resolve("idp-jwks.json"), new JWKSet(idpKey.toPublicJWK()).toString());
    String yaml = """
        server:
          event-loops: 1
          listeners:
            - name: tls
              host: 127.0.0.1
              port: 0
              tls: {cert: "%s", key: "%s", client-auth: optional, client-ca: "%s"}
        admin:
          host: 127.0.0.1
          port: 0
          users: [{name: root, token: %s, role: admin}]
        upstreams: [{name: sim, base-url: "%s", models: [sim-small]}]
        identity:
          store: {sqlite: ids.db}
          api-keys: {pepper: "pepper-for-tests-0123456789abcdef0123"}
          signed-requests: {enabled: true, skew: 60s}
          oauth: {issuer: "https://gateway.test"}
          jwt:
            - {issuer: "https://idp.test", audience: portcullis, jwks-file: idp-jwks.json, algorithms: [ES256],
               tenant: acme, plan: metered}
          mtls:
            - {subject: "CN=billing-bot", tenant: acme, principal: app, scopes: [chat]}
        limits:
          default-plan: metered
          plans:
            metered:
              max-output-tokens: 100
              limits:
                - {name: per-credential-rpm, per: [key], unit: requests, algorithm: sliding-window, limit: 3, period: 1m}
        """.formatted(SERVER.certificatePath(), SERVER.privateKeyPath(), CLIENT_CERT.certificatePath(), ROOT,
        upstream.baseUrl());
    LiveConfig live = LiveConfig.fixed(ConfigLoader.parse(yaml, Map.<String, String>of()::get, dir,
        Portcullis.SECTIONS));
    vertx = Gateway.createVertx(live.current());
    portcullis = Portcullis.start(vertx, live, Clock.systemUTC());
    var store = portcullis.identity().store();
    store.createPlan(new Plan("metered", ""));
    store.createTenant(new Tenant("acme", "Acme", "metered", Instant.now(), false));
    store.createPrincipal(new StoredPrincipal("app", "acme", PrincipalKind.APPLICATION, null, Map.of(),
        Instant.now()));
    client = clientVertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(false)
        .setTrustOptions(new PemTrustOptions().addCertPath(SERVER.certificatePath())));
  }

  @AfterAll
  static void stop() {
    portcullis.stop().await();
    vertx.close().await();
    upstreamVertx.close().await();
    clientVertx.close().await();
  }

  record Answer(int status, String body, String policy) {}

  static Answer call(HttpClient via, String method, String path, String body, String... headers) {
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.valueOf(method)).setHost("localhost")
        .setPort(portcullis.gateway().port()).setURI(path);
    for (int i = 0; i < headers.length; i += 2) {
      request.putHeader(headers[i], headers[i + 1]);
    }
    return via.request(request).compose(r -> r.send(Buffer.buffer(body)))
        .compose(r -> r.body().map(b -> new Answer(r.statusCode(), b.toString(), r.getHeader("ratelimit-policy"))))
        .await();
  }

  static Answer chat(HttpClient via, String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = "content-type";
    all[1] = "application/json";
    System.arraycopy(headers, 0, all, 2, headers.length);
    return call(via, "POST", "/v1/chat/completions", CHAT, all);
  }

  /** Three requests pass, the fourth is refused by the per-credential rule; the header names it throughout. */
  static void assertThreeAMinute(Supplier<Answer> request) throws Exception {
    for (int i = 0; i < 3; i++) {
      Answer ok = request.get();
      assertThat(ok.status()).as(ok.body()).isEqualTo(200);
      assertThat(ok.policy()).contains("per-credential-rpm");
    }
    Answer refused = request.get();
    assertThat(refused.status()).as(refused.body()).isEqualTo(429);
    assertThat(JSON.readTree(refused.body()).path("error").path("limit").asText()).isEqualTo("per-credential-rpm");
  }

  static JsonNode newKey() throws Exception {
    return JSON.readTree(portcullisAdmin("POST", "/admin/v1/tenants/acme/keys", "{\"principal\":\"app\"}"));
  }

  static String portcullisAdmin(String method, String path, String body) throws Exception {
    var res = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + portcullis.gateway().adminPort() + path))
        .header("authorization", "Bearer " + ROOT).header("content-type", "application/json")
        .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
            : java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).as(res.body()).isBetween(200, 201);
    return res.body();
  }

  /** The requests the usage ledger holds this month for the credential {@code key} (written within a second). */
  static void assertLedgerCounts(String key, long requests) {
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() -> {
      JsonNode usage = JSON.readTree(portcullisAdmin("GET", "/admin/v1/tenants/acme/usage?principal=app&key="
          + URLEncoder.encode(key, StandardCharsets.UTF_8), null));
      assertThat(usage.toString()).contains("\"requests\":" + requests);
    });
  }

  @Test
  void signedRequestsAndTheSameKeyAsBearerShareOneKeyBudget() throws Exception {
    JsonNode key = newKey();
    String id = key.path("id").asText();
    HmacSigner signer = new HmacSigner(id, key.path("signing_secret").asText());
    String bearer = "Bearer " + key.path("key").asText();
    int[] n = {0};
    assertThreeAMinute(() -> n[0]++ % 2 == 0
        ? chat(client, "authorization", signer.authorization("POST", "/v1/chat/completions", null,
            CHAT.getBytes(StandardCharsets.UTF_8), Instant.now()))
        : chat(client, "authorization", bearer));
    // the refused fourth was signed? either way, both ways in are now refused
    assertThat(chat(client, "authorization", bearer).status()).isEqualTo(429);
    assertThat(chat(client, "authorization", signer.authorization("POST", "/v1/chat/completions", null,
        CHAT.getBytes(StandardCharsets.UTF_8), Instant.now())).status()).isEqualTo(429);
    assertLedgerCounts(id, 3);
  }

  @Test
  void signedRequestsAloneAreChargedToTheirKey() throws Exception {
    JsonNode key = newKey();
    HmacSigner signer = new HmacSigner(key.path("id").asText(), key.path("signing_secret").asText());
    assertThreeAMinute(() -> chat(client, "authorization", signer.authorization("POST", "/v1/chat/completions",
        null, CHAT.getBytes(StandardCharsets.UTF_8), Instant.now())));
    assertLedgerCounts(key.path("id").asText(), 3);
  }

  @Test
  void oauthClientIsChargedAcrossTheTokensItObtains() throws Exception {
    var registered = portcullis.identity().oauth().registerClient("metered-bot", "acme", "app", Set.of("chat"));
    String clientId = registered.record().clientId();
    String basic = "Basic " + Base64.getEncoder().encodeToString((clientId + ":" + registered.secret()).getBytes());
    assertThreeAMinute(() -> {
      // a new token for every request: limits follow the client, not the token
      Answer token = call(client, "POST", "/oauth2/token", "grant_type=client_credentials",
          "content-type", "application/x-www-form-urlencoded", "authorization", basic);
      assertThat(token.status()).as(token.body()).isEqualTo(200);
      try {
        return chat(client, "authorization", "Bearer " + JSON.readTree(token.body()).path("access_token").asText());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertLedgerCounts("client:" + clientId, 3);
  }

  @Test
  void externalJwtIsChargedToItsIssuerAndSubjectWhateverItsTokenId() throws Exception {
    assertThreeAMinute(() -> chat(client, "authorization", "Bearer " + idpToken("user-7")));
    // another subject of the same issuer has its own budget
    assertThat(chat(client, "authorization", "Bearer " + idpToken("user-8")).status()).isEqualTo(200);
  }

  @Test
  void clientCertificateIsChargedToItsCertificate() throws Exception {
    HttpClient withCert = clientVertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(false)
        .setTrustOptions(new PemTrustOptions().addCertPath(SERVER.certificatePath()))
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(CLIENT_CERT.certificatePath())
            .setKeyPath(CLIENT_CERT.privateKeyPath())));
    try {
      assertThreeAMinute(() -> chat(withCert));
    } finally {
      withCert.close();
    }
  }

  static String idpToken(String subject) {
    try {
      Instant now = Instant.now();
      JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer("https://idp.test").audience(List.of("portcullis"))
          .subject(subject).jwtID(UUID.randomUUID().toString()).issueTime(Date.from(now))
          .expirationTime(Date.from(now.plusSeconds(300))).build();
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("idp-1")
          .type(JOSEObjectType.JWT).build(), claims);
      jwt.sign(new ECDSASigner(idpKey));
      return jwt.serialize();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}

package dev.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.app.Portcullis;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.LiveConfig;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Mutual TLS as a credential, and certificate-bound OAuth tokens (RFC 8705). */
class MtlsIdentityTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final SelfSignedCertificate SERVER = SelfSignedCertificate.create("localhost");
  static final SelfSignedCertificate BILLING = SelfSignedCertificate.create("billing-bot");
  static final SelfSignedCertificate STRANGER = SelfSignedCertificate.create("stranger");
  static final String CHAT = "{\"model\":\"sim-small\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  static Vertx upstreamVertx;
  static Vertx vertx;
  static Vertx clientVertx;
  static Portcullis portcullis;
  static String clientSecret;

  @BeforeAll
  static void start() throws Exception {
    upstreamVertx = Vertx.vertx();
    clientVertx = Vertx.vertx();
    SimulatedUpstream upstream = SimulatedUpstream.start(upstreamVertx, SimulatorOptions.defaults()).await();
    Path dir = Files.createTempDirectory("mtls-test");
    Path trusted = dir.resolve("clients.pem");
    Files.writeString(trusted, Files.readString(Path.of(BILLING.certificatePath()))
        + Files.readString(Path.of(STRANGER.certificatePath())));
    String yaml = """
        server:
          event-loops: 1
          listeners:
            - name: tls
              host: 127.0.0.1
              port: 0
              tls: {cert: "%s", key: "%s", client-auth: optional, client-ca: "%s"}
        admin: {host: 127.0.0.1, port: 0}
        upstreams: [{name: sim, base-url: "%s", models: [sim-small]}]
        identity:
          store: {sqlite: ids.db}
          api-keys: {pepper: "pepper-for-tests-0123456789abcdef0123"}
          oauth: {issuer: "https://gateway.test"}
          mtls:
            - {subject: "CN=billing-bot", tenant: acme, principal: billing, scopes: [chat]}
        """.formatted(SERVER.certificatePath(), SERVER.privateKeyPath(), trusted, upstream.baseUrl());
    LiveConfig live = LiveConfig.fixed(ConfigLoader.parse(yaml, Map.<String, String>of()::get, dir,
        Portcullis.SECTIONS));
    vertx = Gateway.createVertx(live.current());
    portcullis = Portcullis.start(vertx, live, Clock.systemUTC());
    var store = portcullis.identity().store();
    store.createPlan(new Plan("pro", ""));
    store.createTenant(new Tenant("acme", "Acme", "pro", Instant.now(), false));
    store.createPrincipal(new StoredPrincipal("billing", "acme", PrincipalKind.APPLICATION, null, Map.of(),
        Instant.now()));
    clientSecret = portcullis.identity().oauth().registerClient("billing-client", "acme", "billing",
        java.util.Set.of("chat")).secret();
  }

  @AfterAll
  static void stop() {
    portcullis.stop().await();
    vertx.close().await();
    upstreamVertx.close().await();
    clientVertx.close().await();
  }

  record Answer(int status, String body) {}

  static Answer call(SelfSignedCertificate cert, String method, String path, String body, String... headers) {
    HttpClientOptions options = new HttpClientOptions().setSsl(true).setVerifyHost(false)
        .setTrustOptions(new PemTrustOptions().addCertPath(SERVER.certificatePath()));
    if (cert != null) {
      options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.certificatePath())
          .setKeyPath(cert.privateKeyPath()));
    }
    HttpClient client = clientVertx.createHttpClient(options);
    try {
      RequestOptions request = new RequestOptions().setMethod(HttpMethod.valueOf(method)).setHost("localhost")
          .setPort(portcullis.gateway().port()).setURI(path);
      for (int i = 0; i < headers.length; i += 2) {
        request.putHeader(headers[i], headers[i + 1]);
      }
      return client.request(request).compose(r -> r.send(Buffer.buffer(body)))
          .compose(r -> r.body().map(b -> new Answer(r.statusCode(), b.toString()))).await();
    } finally {
      client.close();
    }
  }

  static Answer chat(SelfSignedCertificate cert, String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = "content-type";
    all[1] = "application/json";
    System.arraycopy(headers, 0, all, 2, headers.length);
    return call(cert, "POST", "/v1/chat/completions", CHAT, all);
  }

  @Test
  void registeredCertificateAloneIdentifiesTheCaller() {
    assertThat(chat(BILLING).status()).isEqualTo(200);
  }

  @Test
  void trustedButUnregisteredCertificateIsRefused() {
    assertThat(chat(STRANGER).status()).isEqualTo(401);
    assertThat(chat(null).status()).isEqualTo(401);
  }

  @Test
  void tokenIssuedOverMutualTlsIsBoundToThatCertificate() throws Exception {
    String basic = "Basic " + Base64.getEncoder().encodeToString(("billing-client:" + clientSecret).getBytes());
    Answer token = call(BILLING, "POST", "/oauth2/token", "grant_type=client_credentials",
        "content-type", "application/x-www-form-urlencoded", "authorization", basic);
    assertThat(token.status()).as(token.body()).isEqualTo(200);
    String accessToken = JSON.readTree(token.body()).path("access_token").asText();
    String payload = new String(Base64.getUrlDecoder().decode(accessToken.split("\\.")[1]));
    assertThat(payload).contains("\"cnf\"").contains("x5t#S256");

    assertThat(chat(BILLING, "authorization", "Bearer " + accessToken).status()).isEqualTo(200);
    assertThat(chat(STRANGER, "authorization", "Bearer " + accessToken).status()).isEqualTo(401);
    assertThat(chat(null, "authorization", "Bearer " + accessToken).status()).isEqualTo(401);
  }

  @Test
  void tokenIssuedWithoutCertificateIsUsableAnywhere() throws Exception {
    String basic = "Basic " + Base64.getEncoder().encodeToString(("billing-client:" + clientSecret).getBytes());
    Answer token = call(null, "POST", "/oauth2/token", "grant_type=client_credentials",
        "content-type", "application/x-www-form-urlencoded", "authorization", basic);
    String accessToken = JSON.readTree(token.body()).path("access_token").asText();
    assertThat(chat(STRANGER, "authorization", "Bearer " + accessToken).status()).isEqualTo(200);
  }
}

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
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The identify stage runs before the body is interpreted. Issue 10 item 13: callers without a valid credential
 * learn nothing but 401, whatever model or body they send. Issue 10 item 18: a request with two credential headers
 * of one kind is refused, never decided by whichever a reader picks first. Issue 10 item 14 with the canary guard on:
 * a chat body without usable messages is a 400, not a 500.
 */
class IdentifyFirstTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String ROOT = "root-admin-token-000000";
  static Vertx upstreamVertx;
  static Vertx vertx;
  static Portcullis portcullis;
  static SimulatedUpstream upstream;
  static String key;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    upstreamVertx = Vertx.vertx();
    upstream = SimulatedUpstream.start(upstreamVertx, SimulatorOptions.defaults()).await();
    Path dir = Files.createTempDirectory("identify-first-test");
    String yaml = """
        server: {event-loops: 1, listeners: [{name: public, host: 127.0.0.1, port: 0, h2c: true}]}
        admin:
          host: 127.0.0.1
          port: 0
          users: [{name: root, token: %s, role: admin}]
        upstreams: [{name: sim, base-url: "%s", models: [sim-small]}]
        identity:
          store: {sqlite: ids.db}
          api-keys: {pepper: "pepper-for-tests-0123456789abcdef0123"}
        guards:
          profiles:
            standard:
              canary: block
        """.formatted(ROOT, upstream.baseUrl());
    LiveConfig live = LiveConfig.fixed(ConfigLoader.parse(yaml, Map.<String, String>of()::get, dir,
        Portcullis.SECTIONS));
    vertx = Gateway.createVertx(live.current());
    portcullis = Portcullis.start(vertx, live, Clock.systemUTC());
    assertThat(admin("/admin/v1/plans", "{\"name\":\"pro\"}").statusCode()).isEqualTo(201);
    assertThat(admin("/admin/v1/tenants", "{\"id\":\"acme\",\"plan\":\"pro\"}").statusCode()).isEqualTo(201);
    assertThat(admin("/admin/v1/tenants/acme/principals", "{\"id\":\"app\"}").statusCode()).isEqualTo(201);
    HttpResponse<String> created = admin("/admin/v1/tenants/acme/keys", "{\"principal\":\"app\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    key = JSON.readTree(created.body()).path("key").asText();
  }

  @AfterAll
  static void stop() {
    portcullis.stop().await();
    vertx.close().await();
    upstreamVertx.close().await();
  }

  static HttpResponse<String> admin(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + portcullis.gateway().adminPort() + path))
        .header("authorization", "Bearer " + ROOT).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + portcullis.gateway().port()
        + path)).header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String chat(String model) {
    return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  }

  @Test
  void unidentifiedCallersLearnNothingButUnauthorized() throws Exception {
    String[] bodies = {chat("no-such-model"), chat("sim-small"), "{not json", "[]", "{\"model\":\"sim-small\"}",
        "{\"model\":\"sim-small\",\"model\":\"x\"}", "{\"model\":42}"};
    for (String body : bodies) {
      for (String[] credential : new String[][] {{}, {"authorization", "Bearer pc_live_wrong"}}) {
        HttpResponse<String> res = post("/v1/chat/completions", body, credential);
        assertThat(res.statusCode()).as(body).isEqualTo(401);
        assertThat(JSON.readTree(res.body()).path("error").path("code").asText()).isEqualTo("invalid_api_key");
      }
    }
  }

  @Test
  void identifiedCallersLearnTheModelIsUnknown() throws Exception {
    HttpResponse<String> res = post("/v1/chat/completions", chat("no-such-model"), "authorization", "Bearer " + key);
    assertThat(res.statusCode()).isEqualTo(404);
    assertThat(post("/v1/chat/completions", chat("sim-small"), "authorization", "Bearer " + key).statusCode())
        .isEqualTo(200);
  }

  @Test
  void refusesTwoAuthorizationHeadersOverHttp1() throws Exception {
    String body = chat("sim-small");
    try (Socket socket = new Socket("127.0.0.1", portcullis.gateway().port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
          + "Content-Type: application/json\r\nAuthorization: Bearer " + key + "\r\n"
          + "Authorization: Bearer pc_live_someone_else\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
          .getBytes(StandardCharsets.UTF_8));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(response).startsWith("HTTP/1.1 400").contains("duplicate_header");
    }
  }

  @Test
  void refusesTwoCredentialHeadersOfOneKindOverHttp2() {
    Vertx client = Vertx.vertx();
    try {
      var http2 = client.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
          .setHttp2ClearTextUpgrade(false).setDefaultHost("127.0.0.1").setDefaultPort(portcullis.gateway().port()));
      for (String header : new String[] {"authorization", "x-api-key"}) {
        String value = header.equals("authorization") ? "Bearer " + key : key;
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI("/v1/chat/completions")
            .addHeader("content-type", "application/json").addHeader(header, value).addHeader(header, value + "x");
        var res = http2.request(options).compose(req -> req.send(Buffer.buffer(chat("sim-small")))).await();
        assertThat(res.statusCode()).as(header).isEqualTo(400);
      }
    } finally {
      client.close().await();
    }
  }

  @Test
  void chatWithoutUsableMessagesIsABadRequestWithTheCanaryOn() throws Exception {
    for (String body : new String[] {"{\"model\":\"sim-small\"}", "{\"model\":\"sim-small\",\"messages\":null}",
        "{\"model\":\"sim-small\",\"messages\":\"hi\"}", "{\"model\":\"sim-small\",\"messages\":[\"hi\"]}"}) {
      HttpResponse<String> res = post("/v1/chat/completions", body, "authorization", "Bearer " + key);
      assertThat(res.statusCode()).as(body + " -> " + res.body()).isEqualTo(400);
      JsonNode error = JSON.readTree(res.body()).path("error");
      assertThat(error.path("param").asText()).isEqualTo("messages");
    }
  }
}

package dev.portcullis.guards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.app.Portcullis;
import dev.portcullis.config.ConfigException;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.LiveConfig;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A tenant's phone region decides which national numbers in its traffic are phone numbers. */
class TenantRegionGuardsTest {

  static final ObjectMapper JSON = new ObjectMapper();
  /** A Berlin number in national format: a phone in Germany, digits without meaning in the United States. */
  static final String BERLIN = "030 901820";
  static Vertx upstreamVertx;
  static SimulatedUpstream upstream;
  static Vertx vertx;
  static Portcullis portcullis;
  static final HttpClient http = HttpClient.newHttpClient();
  static final String ROOT = "root-token-0123456789abcdef";

  @BeforeAll
  static void start() throws Exception {
    upstreamVertx = Vertx.vertx();
    upstream = SimulatedUpstream.start(upstreamVertx, SimulatorOptions.defaults()).await();
    vertx = Vertx.vertx();
    Path dir = Files.createTempDirectory("tenant-regions");
    String yaml = """
        server: {event-loops: 1, listeners: [{name: public, host: 127.0.0.1, port: 0}]}
        admin: {host: 127.0.0.1, port: 0, users: [{name: root, token: %s, role: admin}]}
        upstreams: [{name: sim, base-url: "%s", models: [sim-echo]}]
        identity:
          store: {sqlite: ids.db}
          api-keys: {pepper: "pepper-for-tests-0123456789abcdef0123"}
        guards:
          region: US
          tenant-regions: {berlin-gmbh: de}
          profiles:
            standard:
              input: {action: allow, types: {phone: redact}}
        """.formatted(ROOT, upstream.baseUrl());
    portcullis = Portcullis.start(vertx, LiveConfig.fixed(ConfigLoader.parse(yaml, Map.<String, String>of()::get, dir,
        Portcullis.SECTIONS)), Clock.systemUTC());
    assertThat(admin("/admin/v1/plans", "{\"name\":\"pro\"}")).contains("pro");
  }

  @AfterAll
  static void stop() {
    portcullis.stop().await();
    vertx.close().await();
    upstreamVertx.close().await();
  }

  static String admin(String path, String body) throws Exception {
    HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + portcullis.gateway().adminPort() + path)).header("authorization", "Bearer " + ROOT)
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    return res.body();
  }

  static String keyOf(String tenant) throws Exception {
    admin("/admin/v1/tenants", "{\"id\":\"" + tenant + "\",\"plan\":\"pro\"}");
    admin("/admin/v1/tenants/" + tenant + "/principals", "{\"id\":\"app\"}");
    return JSON.readTree(admin("/admin/v1/tenants/" + tenant + "/keys", "{\"principal\":\"app\"}")).path("key")
        .asText();
  }

  static String upstreamSaw(String key, String content) throws Exception {
    String body = JSON.writeValueAsString(Map.of("model", "sim-echo", "messages",
        List.of(Map.of("role", "user", "content", content))));
    HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + portcullis.gateway().port() + "/v1/chat/completions")).header("content-type", "application/json")
        .header("authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    return upstream.lastRequest().body();
  }

  @Test
  void nationalNumbersAreReadInTheTenantsRegion() throws Exception {
    String berlin = keyOf("berlin-gmbh");
    String boston = keyOf("boston-inc");
    String prompt = "Call the office on " + BERLIN + " tomorrow.";
    assertThat(upstreamSaw(berlin, prompt)).doesNotContain(BERLIN).contains("[PHONE]");
    assertThat(upstreamSaw(boston, prompt)).contains(BERLIN);
    // numbers with a country code are phones in every region
    assertThat(upstreamSaw(boston, "Call +49 30 901820 tomorrow.")).doesNotContain("901820").contains("[PHONE]");
  }

  @Test
  void unknownRegionsAreConfigErrors() {
    String yaml = """
        upstreams: [{name: sim, base-url: "http://127.0.0.1:1", models: [m]}]
        identity: {mode: none}
        guards:
          tenant-regions: {acme: XX, globex: germany}
          profiles: {standard: {input: {action: redact}}}
        """;
    ConfigException e = (ConfigException) org.assertj.core.api.Assertions.catchThrowable(() ->
        ConfigLoader.parse(yaml, Map.<String, String>of()::get, Path.of("."), Portcullis.SECTIONS));
    assertThat(e.problems()).containsExactlyInAnyOrder(
        "guards.tenant-regions.acme: must be a two-letter region code such as US or GB, found 'XX'",
        "guards.tenant-regions.globex: must be a two-letter region code such as US or GB, found 'germany'");
  }
}

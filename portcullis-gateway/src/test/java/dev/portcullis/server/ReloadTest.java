package dev.portcullis.server;

import static dev.portcullis.server.GatewayHarness.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class ReloadTest {

  static final ObjectMapper JSON = new ObjectMapper();

  static HttpResponse<String> reload(GatewayHarness h) {
    return h.send(HttpRequest.newBuilder(h.adminUri("/admin/reload")).timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.noBody()).build());
  }

  @Test
  void adminReloadSwapsTheSnapshotAndRejectsInvalidFilesKeepingTheOld() throws Exception {
    try (GatewayHarness h = GatewayHarness.builder().start()) {
      String original = Files.readString(h.configFile);
      assertThat(h.post("/v1/chat/completions", chat("sim-new", "x", false)).statusCode()).isEqualTo(404);

      Files.writeString(h.configFile, original.replace("models: [sim-small,", "models: [sim-new, sim-small,"));
      HttpResponse<String> applied = reload(h);
      assertThat(applied.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(applied.body()).path("result").asText()).isEqualTo("applied");
      // the simulator answers 404 for a model it does not serve: the gateway routed it
      HttpResponse<String> routed = h.post("/v1/chat/completions", chat("sim-new", "x", false));
      assertThat(h.upstream.lastRequest().body()).contains("sim-new");
      assertThat(routed.statusCode()).isEqualTo(404);

      Files.writeString(h.configFile, original.replace("base-url:", "base-ur1:"));
      HttpResponse<String> rejected = reload(h);
      assertThat(rejected.statusCode()).isEqualTo(422);
      assertThat(rejected.headers().firstValue("content-type")).hasValue("application/problem+json");
      assertThat(rejected.body()).contains("upstreams[0].base-ur1: unknown key");
      assertThat(h.post("/v1/chat/completions", chat("sim-small", "still served", false)).statusCode())
          .isEqualTo(200);

      assertThat(reload(h).statusCode()).isEqualTo(422);
      assertThat(h.get(h.adminUri("/metrics")).body())
          .contains("portcullis_config_reloads_total{result=\"applied\"} 1.0")
          .contains("portcullis_config_reloads_total{result=\"rejected\"} 2.0");
    }
  }

  @Test
  void reloadsWhenTheFileChanges() throws Exception {
    try (GatewayHarness h = GatewayHarness.builder().watch().start()) {
      String original = Files.readString(h.configFile);
      Files.writeString(h.configFile, original.replace("models: [sim-small,", "models: [sim-watched, sim-small,"));
      Files.setLastModifiedTime(h.configFile,
          java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
      Awaitility.await().atMost(15, TimeUnit.SECONDS).untilAsserted(() ->
          assertThat(JSON.readTree(h.get(h.uri("/v1/models")).body()).path("data").findValuesAsText("id"))
              .contains("sim-watched"));
    }
  }

  @Test
  void adminActionsNeedTheTokenWhenOneIsConfigured() throws Exception {
    try (GatewayHarness h = GatewayHarness.builder().start()) {
      String withToken = Files.readString(h.configFile)
          .replace("admin:\n  host: 127.0.0.1", "admin:\n  token: admin-token-0123456789\n  host: 127.0.0.1");
      assertThat(withToken).contains("admin-token-0123456789");
      // the token applies from the next start: admin settings are read at startup
      Files.writeString(h.configFile, withToken);
      var live = dev.portcullis.config.LiveConfig.load(h.configFile, null, null);
      io.vertx.core.Vertx vertx = Gateway.createVertx(live.current());
      Gateway g = Gateway.builder(live).watchFile(false).start(vertx).await();
      try {
        var uri = java.net.URI.create("http://127.0.0.1:" + g.adminPort() + "/admin/reload");
        HttpResponse<String> denied = h.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody())
            .build());
        assertThat(denied.statusCode()).isEqualTo(401);
        assertThat(denied.headers().firstValue("content-type")).hasValue("application/problem+json");
        HttpResponse<String> wrong = h.send(HttpRequest.newBuilder(uri).header("authorization", "Bearer nope")
            .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(wrong.statusCode()).isEqualTo(401);
        HttpResponse<String> allowed = h.send(HttpRequest.newBuilder(uri)
            .header("authorization", "Bearer admin-token-0123456789").POST(HttpRequest.BodyPublishers.noBody())
            .build());
        assertThat(allowed.statusCode()).isEqualTo(200);
      } finally {
        g.stop().await();
        vertx.close().await();
      }
    }
  }
}

package dev.portcullis.guards;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.app.Portcullis;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.LiveConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Output guards fail closed on answers they cannot read: an upstream (misconfigured, or not what it claims) that
 * answers 200 with plain text, or streams events that are not JSON, must not get its text past the guards.
 */
class UninspectableAnswersTest {

  static final String SECRET_TEXT = "Reach jane.doe@example.com";
  static Vertx vertx;
  static HttpServer upstream;
  static Portcullis portcullis;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      String model = new io.vertx.core.json.JsonObject(body).getString("model");
      switch (model) {
        case "plain-text" -> req.response().putHeader("content-type", "text/plain").end(SECRET_TEXT);
        case "no-type" -> req.response().end(SECRET_TEXT);
        case "text-stream" -> req.response().putHeader("content-type", "text/event-stream")
            .end("data: " + SECRET_TEXT + "\n\ndata: [DONE]\n\n");
        default -> req.response().putHeader("content-type", "application/json")
            .end("{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + SECRET_TEXT
                + "\"}}]}");
      }
    })).listen(0, "127.0.0.1").await();
    String yaml = """
        server: {event-loops: 1, listeners: [{name: public, host: 127.0.0.1, port: 0}]}
        admin: {host: 127.0.0.1, port: 0}
        upstreams: [{name: raw, base-url: "http://127.0.0.1:%d/v1", models: [plain-text, no-type, text-stream, json]}]
        identity: {mode: none}
        guards:
          profiles:
            standard:
              output: {action: redact}
        """.formatted(upstream.actualPort());
    portcullis = Portcullis.start(vertx, LiveConfig.fixed(ConfigLoader.parse(yaml, Map.<String, String>of()::get,
        Files.createTempDirectory("uninspectable"), Portcullis.SECTIONS)), Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    portcullis.stop().await();
    vertx.close().await();
  }

  static HttpResponse<String> chat(String model, boolean stream) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + portcullis.gateway().port()
        + "/v1/chat/completions")).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"stream\":" + stream
            + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aReadableAnswerIsRedacted() throws Exception {
    HttpResponse<String> res = chat("json", false);
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).doesNotContain("jane.doe@example.com").contains("[EMAIL]");
  }

  @Test
  void plainTextAnswersAreWithheld() throws Exception {
    for (String model : new String[] {"plain-text", "no-type"}) {
      HttpResponse<String> res = chat(model, false);
      assertThat(res.statusCode()).as(model).isEqualTo(502);
      assertThat(res.body()).as(model).doesNotContain("jane.doe").contains("output_uninspectable");
    }
  }

  @Test
  void anAnswerInAnotherFormThanAskedForIsWithheld() throws Exception {
    HttpResponse<String> wholeForStream = chat("json", true);
    assertThat(wholeForStream.body()).doesNotContain("jane.doe").contains("output_uninspectable");
    HttpResponse<String> streamForWhole = chat("text-stream", false);
    assertThat(streamForWhole.body()).doesNotContain("jane.doe").contains("output_uninspectable");
  }

  @Test
  void streamEventsThatAreNotJsonEndTheStream() throws Exception {
    HttpResponse<String> res = chat("text-stream", true);
    assertThat(res.body()).doesNotContain("jane.doe").contains("output_uninspectable");
  }
}

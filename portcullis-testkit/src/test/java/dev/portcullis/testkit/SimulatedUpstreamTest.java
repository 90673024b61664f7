package dev.portcullis.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SimulatedUpstreamTest {

  static Vertx vertx;
  static SimulatedUpstream upstream;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    upstream = SimulatedUpstream.start(vertx, SimulatorOptions.defaults().withReplyTokens(5)).await();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  static HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(upstream.baseUrl() + path))
        .timeout(Duration.ofSeconds(5))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void repliesDeterministicallyWithUsage() throws Exception {
    String body = "{\"model\":\"sim-small\",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";
    HttpResponse<String> first = post("/chat/completions", body);
    HttpResponse<String> second = post("/chat/completions", body);
    assertThat(first.statusCode()).isEqualTo(200);
    String content1 = first.body().replaceAll("\"(id|created)\":[^,]+,", "");
    String content2 = second.body().replaceAll("\"(id|created)\":[^,]+,", "");
    assertThat(content1).isEqualTo(content2).contains("\"prompt_tokens\":5").contains("\"completion_tokens\":5");
  }

  @Test
  void streamsEventsThenUsageThenDone() throws Exception {
    String body = "{\"model\":\"sim-small\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    HttpResponse<String> res = post("/chat/completions", body);
    assertThat(res.headers().firstValue("content-type")).hasValue("text/event-stream");
    String[] events = res.body().split("\n\n");
    // role chunk, 5 tokens, finish chunk, usage chunk, [DONE]
    assertThat(events).hasSize(9);
    assertThat(events[7]).contains("\"completion_tokens\":5");
    assertThat(events[8]).isEqualTo("data: [DONE]");
  }

  @Test
  void answersErrorStatusForErrorModels() throws Exception {
    HttpResponse<String> res = post("/chat/completions", "{\"model\":\"sim-error-429\",\"messages\":[]}");
    assertThat(res.statusCode()).isEqualTo(429);
    assertThat(res.body()).contains("\"type\":\"rate_limit_error\"");
  }

  @Test
  void embeddingsAreUnitVectorsInBothEncodings() throws Exception {
    HttpResponse<String> floats = post("/embeddings", "{\"model\":\"sim-embed\",\"input\":[\"a\",\"b\"]}");
    HttpResponse<String> base64 = post("/embeddings",
        "{\"model\":\"sim-embed\",\"input\":\"a\",\"encoding_format\":\"base64\"}");
    assertThat(floats.body()).contains("\"index\":1");
    assertThat(base64.body()).matches("(?s).*\"embedding\":\"[A-Za-z0-9+/=]+\".*");
  }

  @Test
  void rejectsUnknownModel() throws Exception {
    HttpResponse<String> res = post("/chat/completions", "{\"model\":\"nope\",\"messages\":[]}");
    assertThat(res.statusCode()).isEqualTo(404);
    assertThat(res.body()).contains("model_not_found");
  }
}

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

  @Test
  void streamsTheResponsesEventLifecycle() throws Exception {
    HttpResponse<String> res = post("/responses",
        "{\"model\":\"sim-echo\",\"stream\":true,\"input\":\"hello there\",\"instructions\":\"be brief\"}");
    StringBuilder deltas = new StringBuilder();
    java.util.List<String> types = new java.util.ArrayList<>();
    int seq = 0;
    for (String event : res.body().split("\n\n")) {
      String name = event.substring("event: ".length(), event.indexOf('\n'));
      var data = new com.fasterxml.jackson.databind.ObjectMapper().readTree(event.substring(event.indexOf("data: ") + 6));
      assertThat(data.path("type").asText()).isEqualTo(name);
      assertThat(data.path("sequence_number").asInt()).isEqualTo(seq++);
      if (!name.equals("response.output_text.delta")) {
        types.add(name);
      } else {
        deltas.append(data.path("delta").asText());
      }
      if (name.equals("response.completed")) {
        assertThat(data.at("/response/output/0/content/0/text").asText()).isEqualTo(deltas.toString());
      }
    }
    assertThat(deltas.toString()).isEqualTo("hello there be brief");
    assertThat(types).containsExactly("response.created", "response.in_progress", "response.output_item.added",
        "response.content_part.added", "response.output_text.done", "response.content_part.done",
        "response.output_item.done", "response.completed");
  }

  @Test
  void answersAForcedFunctionWithACall() throws Exception {
    HttpResponse<String> res = post("/responses", "{\"model\":\"sim-echo\",\"input\":[{\"role\":\"user\","
        + "\"content\":\"hi\"},{\"type\":\"function_call_output\",\"call_id\":\"c\",\"output\":\"42\"}],"
        + "\"tool_choice\":{\"type\":\"function\",\"name\":\"lookup\"}}");
    var item = new com.fasterxml.jackson.databind.ObjectMapper().readTree(res.body()).at("/output/0");
    assertThat(item.path("type").asText()).isEqualTo("function_call");
    assertThat(item.path("name").asText()).isEqualTo("lookup");
    assertThat(item.path("arguments").asText()).isEqualTo("{\"input\":\"hi 42\"}");
  }
}

package dev.portcullis.server;

import static dev.portcullis.server.GatewayHarness.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.testkit.ReceivedRequest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ForwardingTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static GatewayHarness h;

  @BeforeAll
  static void start() {
    h = GatewayHarness.builder().extraYaml("""
        routes:
          embeddings:
            max-body-bytes: 2048
        """).start();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  static JsonNode json(HttpResponse<String> res) throws Exception {
    return JSON.readTree(res.body());
  }

  @Test
  void forwardsChatAndReturnsUpstreamAnswer() throws Exception {
    HttpResponse<String> res = h.post("/v1/chat/completions", chat("sim-small", "hello", false));
    assertThat(res.statusCode()).isEqualTo(200);
    JsonNode body = json(res);
    assertThat(body.path("object").asText()).isEqualTo("chat.completion");
    assertThat(body.path("choices").get(0).path("message").path("content").asText()).isNotBlank();
    assertThat(body.path("usage").path("prompt_tokens").asInt()).isPositive();
  }

  @Test
  void neverForwardsClientCredentialsAndSendsProviderKey() {
    h.post("/v1/chat/completions", chat("sim-small", "creds", false),
        "authorization", "Bearer client-token-should-not-leak", "x-api-key", "client-key", "cookie", "a=b");
    ReceivedRequest seen = h.upstream.lastRequest();
    assertThat(seen.header("authorization")).isEqualTo("Bearer sk-provider-secret-0123456789");
    assertThat(seen.headers()).doesNotContainKeys("x-api-key", "cookie");
    assertThat(seen.toString()).doesNotContain("client-token-should-not-leak");
  }

  @Test
  void forwardsOnlyAllowListedClientHeaders() {
    // issue 10 item 21: what the client claims about its tenant or identity, and its framing, stay behind
    h.post("/v1/chat/completions", chat("sim-small", "allow-list", false),
        "x-tenant-id", "other-tenant", "x-user-id", "admin", "x-portcullis-principal", "root",
        "content-encoding", "identity", "openai-organization", "org-1", "x-custom", "1",
        "accept", "application/json", "openai-beta", "assistants=v2");
    ReceivedRequest seen = h.upstream.lastRequest();
    assertThat(seen.headers()).doesNotContainKeys("x-tenant-id", "x-user-id", "x-portcullis-principal",
        "content-encoding", "openai-organization", "x-custom");
    assertThat(seen.header("accept")).isEqualTo("application/json");
    assertThat(seen.header("openai-beta")).isEqualTo("assistants=v2");
    assertThat(seen.header("content-type")).isEqualTo("application/json");
  }

  @Test
  void forwardsTheHeadersAnUpstreamAllowsInsteadOfTheDefault() {
    try (GatewayHarness custom = GatewayHarness.builder().upstreamYaml("forward-headers: [X-Custom]").start()) {
      custom.post("/v1/chat/completions", chat("sim-small", "custom", false), "x-custom", "1", "accept", "*/*");
      ReceivedRequest seen = custom.upstream.lastRequest();
      assertThat(seen.header("x-custom")).isEqualTo("1");
      assertThat(seen.headers()).doesNotContainKey("accept");
    }
  }

  @Test
  void dropsHeadersNamedByConnectionOverRawHttp() throws Exception {
    String body = chat("sim-small", "raw", false);
    try (var socket = new java.net.Socket("127.0.0.1", h.gateway.port())) {
      socket.setSoTimeout(10_000);
      String request = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Connection: keep-alive, X-Secret-Hop, OpenAI-Beta\r\nX-Secret-Hop: drop-me\r\nKeep-Alive: timeout=5\r\n"
          + "OpenAI-Beta: named-by-connection\r\n"
          + "TE: trailers\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
      socket.getOutputStream().write(request.getBytes());
      byte[] buf = new byte[4096];
      int n = socket.getInputStream().read(buf);
      assertThat(new String(buf, 0, n)).startsWith("HTTP/1.1 200");
    }
    ReceivedRequest seen = h.upstream.lastRequest();
    assertThat(seen.headers()).doesNotContainKeys("x-secret-hop", "keep-alive", "te", "openai-beta");
  }

  @Test
  void generatesRequestIdAndKeepsAPlainOne() {
    HttpResponse<String> generated = h.post("/v1/chat/completions", chat("sim-small", "id", false));
    assertThat(generated.headers().firstValue("x-request-id")).get().asString().matches("[0-9a-f]{32}");
    assertThat(h.upstream.lastRequest().header("x-request-id"))
        .isEqualTo(generated.headers().firstValue("x-request-id").get());

    HttpResponse<String> kept = h.post("/v1/chat/completions", chat("sim-small", "id", false),
        "x-request-id", "client-req-42");
    assertThat(kept.headers().firstValue("x-request-id")).hasValue("client-req-42");

    HttpResponse<String> replaced = h.post("/v1/chat/completions", chat("sim-small", "id", false),
        "x-request-id", "bad id with spaces");
    assertThat(replaced.headers().firstValue("x-request-id")).get().asString().matches("[0-9a-f]{32}");
  }

  @Test
  void passesTraceparentThrough() {
    String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    h.post("/v1/chat/completions", chat("sim-small", "trace", false), "traceparent", traceparent);
    assertThat(h.upstream.lastRequest().header("traceparent")).isEqualTo(traceparent);
  }

  @Test
  void setsSecurityHeadersOnEveryResponse() {
    for (HttpResponse<String> res : new HttpResponse[] {
        h.post("/v1/chat/completions", chat("sim-small", "sec", false)),
        h.post("/v1/nope", "{}"),
        h.post("/v1/chat/completions", "not json")}) {
      assertThat(res.headers().firstValue("strict-transport-security")).hasValueSatisfying(v ->
          assertThat(v).contains("max-age="));
      assertThat(res.headers().firstValue("x-content-type-options")).hasValue("nosniff");
      assertThat(res.headers().firstValue("x-frame-options")).hasValue("DENY");
      assertThat(res.headers().firstValue("cache-control")).hasValue("no-store");
    }
  }

  @Test
  void rejectsUnknownModelInOpenAiFormat() throws Exception {
    HttpResponse<String> res = h.post("/v1/chat/completions", chat("gpt-unknown", "x", false));
    assertThat(res.statusCode()).isEqualTo(404);
    JsonNode error = json(res).path("error");
    assertThat(error.path("code").asText()).isEqualTo("model_not_found");
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.path("param").asText()).isEqualTo("model");
  }

  @Test
  void rejectsInvalidJsonAndMissingModel() throws Exception {
    HttpResponse<String> bad = h.post("/v1/chat/completions", "{not json");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(json(bad).path("error").path("code").asText()).isEqualTo("invalid_json");
    HttpResponse<String> noModel = h.post("/v1/chat/completions", "{\"messages\":[]}");
    assertThat(noModel.statusCode()).isEqualTo(400);
    assertThat(json(noModel).path("error").path("param").asText()).isEqualTo("model");
    HttpResponse<String> array = h.post("/v1/chat/completions", "[1,2]");
    assertThat(array.statusCode()).isEqualTo(400);
  }

  @Test
  void rejectsBodyOverTheRouteCapWith413() throws Exception {
    String big = "{\"model\":\"sim-embed\",\"input\":\"" + "a".repeat(4000) + "\"}";
    HttpResponse<String> res = h.post("/v1/embeddings", big);
    assertThat(res.statusCode()).isEqualTo(413);
    assertThat(json(res).path("error").path("code").asText()).isEqualTo("request_too_large");
    HttpResponse<String> small = h.post("/v1/embeddings", "{\"model\":\"sim-embed\",\"input\":\"ok\"}");
    assertThat(small.statusCode()).isEqualTo(200);
  }

  @Test
  void rejectsChunkedBodyOverTheCapWith413() throws Exception {
    byte[] big = ("{\"model\":\"sim-embed\",\"input\":\"" + "a".repeat(5000) + "\"}").getBytes();
    HttpRequest req = HttpRequest.newBuilder(h.uri("/v1/embeddings")).timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build();
    HttpResponse<String> res = h.send(req);
    assertThat(res.statusCode()).isEqualTo(413);
  }

  @Test
  void rejectsOversizedHeadersWith431() {
    HttpResponse<String> res = h.post("/v1/chat/completions", chat("sim-small", "x", false),
        "x-big", "b".repeat(20_000));
    assertThat(res.statusCode()).isEqualTo(431);
    // the server closes this connection, and says so: a client must not reuse it for its next request
    assertThat(res.headers().firstValue("connection")).hasValue("close");
    assertThat(res.body()).contains("headers_too_large");
    assertThat(h.post("/v1/chat/completions", chat("sim-small", "after", false)).statusCode()).isEqualTo(200);
  }

  @Test
  void answersUnknownUrlAndWrongMethodInOpenAiFormat() throws Exception {
    HttpResponse<String> unknown = h.post("/v1/unknown", "{}");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown).path("error").path("code").asText()).isEqualTo("unknown_url");
    HttpResponse<String> wrong = h.get(h.uri("/v1/chat/completions"));
    assertThat(wrong.statusCode()).isEqualTo(405);
    assertThat(wrong.headers().firstValue("allow")).hasValue("POST");
  }

  @Test
  void listsConfiguredModels() throws Exception {
    HttpResponse<String> res = h.get(h.uri("/v1/models"));
    assertThat(res.statusCode()).isEqualTo(200);
    JsonNode body = json(res);
    assertThat(body.path("object").asText()).isEqualTo("list");
    assertThat(body.path("data").findValuesAsText("id")).contains("sim-small", "sim-large", "sim-embed");
  }

  @Test
  void passesUpstreamErrorsThroughUnchanged() throws Exception {
    HttpResponse<String> res = h.post("/v1/chat/completions", chat("sim-error-429", "x", false));
    assertThat(res.statusCode()).isEqualTo(429);
    assertThat(json(res).path("error").path("type").asText()).isEqualTo("rate_limit_error");
  }

  @Test
  void forwardsEmbeddingsCompletionsAndResponses() throws Exception {
    HttpResponse<String> emb = h.post("/v1/embeddings", "{\"model\":\"sim-embed\",\"input\":[\"a\",\"b\"]}");
    assertThat(json(emb).path("data")).hasSize(2);
    HttpResponse<String> cmp = h.post("/v1/completions", "{\"model\":\"sim-small\",\"prompt\":\"Say hi\"}");
    assertThat(json(cmp).path("object").asText()).isEqualTo("text_completion");
    HttpResponse<String> resp = h.post("/v1/responses", "{\"model\":\"sim-small\",\"input\":\"Say hi\"}");
    assertThat(json(resp).path("object").asText()).isEqualTo("response");
    assertThat(h.upstream.lastRequest().path()).isEqualTo("/v1/responses");
  }

  @Test
  void streamsSseWithUsageAndDone() {
    HttpResponse<String> res = h.post("/v1/chat/completions", chat("sim-small", "stream me", true));
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("content-type")).hasValue("text/event-stream");
    assertThat(res.body()).contains("chat.completion.chunk").contains("\"completion_tokens\":16")
        .endsWith("data: [DONE]\n\n");
  }
}

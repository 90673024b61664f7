package dev.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The body the stages inspect is the body the upstream gets. Issue 10 item 7: repeated keys and case variants are
 * refused (two readers would pick different values), and the forwarded bytes are the inspected document
 * re-serialised, never the client's bytes. Issue 10 item 14: a missing, null or mistyped required field is a 400
 * in the OpenAI error shape, never a 500.
 */
class RequestBodyTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static GatewayHarness h;
  static LogCapture logs;

  @BeforeAll
  static void start() {
    logs = new LogCapture();
    h = GatewayHarness.builder().start();
  }

  @AfterAll
  static void stop() {
    h.close();
    logs.close();
  }

  /** Posts and returns the error of a 400 (asserting nothing reached the upstream). */
  static JsonNode refused(String path, String body) throws Exception {
    int before = h.upstream.received().size();
    HttpResponse<String> res = h.post(path, body);
    assertThat(res.statusCode()).as(body + " -> " + res.body()).isEqualTo(400);
    assertThat(h.upstream.received()).hasSize(before);
    return JSON.readTree(res.body()).path("error");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      /v1/completions      | {"model":"sim-small","prompt":"SECRET-1","prompt":"hello"}                     | prompt
      /v1/completions      | {"model":"sim-small","model":"sim-large","prompt":"hello"}                     | model
      /v1/embeddings       | {"model":"sim-embed","input":"SECRET-2","input":"hello"}                       | input
      /v1/chat/completions | {"model":"sim-small","messages":[{"role":"user","content":"a","content":"b"}]} | content
      /v1/responses        | {"model":"sim-small","input":"x","metadata":{"k":"1","k":"2"}}                 | k
      """)
  void refusesARepeatedKeyAtAnyDepth(String path, String body, String key) throws Exception {
    JsonNode error = refused(path, body);
    assertThat(error.path("code").asText()).isEqualTo("duplicate_key");
    assertThat(error.path("param").asText()).isEqualTo(key);
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      /v1/chat/completions | {"model":"sim-small","Model":"sim-large","messages":[{"role":"user","content":"a"}]}
      /v1/chat/completions | {"model":"sim-small","messages":[{"role":"user","content":"a"}],"Tools":[]}
      /v1/chat/completions | {"model":"sim-small","messages":[{"role":"user","content":"a","Content":"b"}]}
      /v1/chat/completions | {"model":"sim-small","messages":[{"role":"user","CONTENT":"b"}]}
      /v1/completions      | {"model":"sim-small","prompt":"a","PROMPT":"SECRET-3"}
      /v1/embeddings       | {"model":"sim-embed","input":"a","\u017Ftream":true}
      /v1/responses        | {"model":"sim-small","input":[{"role":"user","Content":"SECRET-4"}]}
      /v1/responses        | {"model":"sim-small","input":"x","metadata":{"env":"a","ENV":"b"}}
      """)
  void refusesKeysThatDifferOnlyInCase(String path, String body) throws Exception {
    assertThat(refused(path, body).path("code").asText()).isEqualTo("case_variant_key");
  }

  @Test
  void keepsUserDefinedKeysThatAreNotCaseVariants() {
    HttpResponse<String> res = h.post("/v1/chat/completions", "{\"model\":\"sim-small\",\"metadata\":{\"Env\":\"x\","
        + "\"Owner\":\"y\"},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
  }

  @Test
  void forwardsTheInspectedDocumentNotTheClientsBytes() throws Exception {
    String sent = "{ \"model\" : \"sim-small\",  \"messages\": [{\"role\":\"user\",\"content\":\"\\u0073pace\"}] }";
    assertThat(h.post("/v1/chat/completions", sent).statusCode()).isEqualTo(200);
    String forwarded = h.upstream.lastRequest().body();
    assertThat(forwarded).isEqualTo(JSON.writeValueAsString(JSON.readTree(sent)))
        .isEqualTo("{\"model\":\"sim-small\",\"messages\":[{\"role\":\"user\",\"content\":\"space\"}]}");
  }

  @Test
  void neverForwardsTheClientsContentEncodingOrLength() {
    String body = "{\"model\":\"sim-small\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    assertThat(h.post("/v1/chat/completions", body, "content-encoding", "identity").statusCode()).isEqualTo(200);
    assertThat(h.upstream.lastRequest().headers()).doesNotContainKey("content-encoding");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      {"model":"sim-small","messages":[{"role":"user","content":"a"}]} {"model":"x"}
      {"model":"sim-small","messages":[{"role":"user","content":"a"}],"temperature":1e999}
      """)
  void refusesTrailingTextAndNumbersOutOfRange(String body) throws Exception {
    refused("/v1/chat/completions", body);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      /v1/chat/completions | {"model":"sim-small"}                                  | messages
      /v1/chat/completions | {"model":"sim-small","messages":null}                  | messages
      /v1/chat/completions | {"model":"sim-small","messages":"hello"}               | messages
      /v1/chat/completions | {"model":"sim-small","messages":[]}                    | messages
      /v1/chat/completions | {"model":"sim-small","messages":["hello"]}             | messages
      /v1/chat/completions | {"model":"sim-small","messages":[{"content":"hi"}]}    | messages
      /v1/completions      | {"model":"sim-small"}                                  | prompt
      /v1/completions      | {"model":"sim-small","prompt":null}                    | prompt
      /v1/completions      | {"model":"sim-small","prompt":{"text":"x"}}            | prompt
      /v1/completions      | {"model":"sim-small","prompt":["a",1]}                 | prompt
      /v1/embeddings       | {"model":"sim-embed"}                                  | input
      /v1/embeddings       | {"model":"sim-embed","input":null}                     | input
      /v1/embeddings       | {"model":"sim-embed","input":[]}                       | input
      /v1/embeddings       | {"model":"sim-embed","input":[[1,2],["x"]]}            | input
      /v1/responses        | {"model":"sim-small"}                                  | input
      /v1/responses        | {"model":"sim-small","input":42}                       | input
      /v1/responses        | {"model":"sim-small","input":["hello"]}                | input
      """)
  void refusesAMissingOrMistypedRequiredFieldWith400(String path, String body, String param) throws Exception {
    logs.clear();
    JsonNode error = refused(path, body);
    assertThat(error.path("param").asText()).isEqualTo(param);
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(logs.errorsAndStackTraces()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      /v1/completions | {"model":"sim-small","prompt":[1,2,3]}
      /v1/completions | {"model":"sim-small","prompt":["a","b"]}
      /v1/embeddings  | {"model":"sim-embed","input":[[1,2],[3]]}
      /v1/responses   | {"model":"sim-small","input":[{"role":"user","content":"hi"}]}
      """)
  void acceptsEveryShapeTheApiDefines(String path, String body) {
    HttpResponse<String> res = h.post(path, body);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
  }
}

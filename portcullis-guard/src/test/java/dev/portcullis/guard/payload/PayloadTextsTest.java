package dev.portcullis.guard.payload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.guard.action.Action;
import dev.portcullis.guard.action.ActionPolicy;
import dev.portcullis.guard.action.PseudonymVault;
import dev.portcullis.guard.action.Redactor;
import dev.portcullis.guard.action.RequestScope;
import dev.portcullis.guard.detect.Scanner;
import dev.portcullis.guard.detect.ScannerConfig;
import dev.portcullis.guard.stream.RedactingStreamFilter;
import dev.portcullis.guard.stream.RestoringStreamFilter;
import dev.portcullis.guard.stream.TextStreamFilter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PayloadTextsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] KEY = "tenant-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private final Scanner scanner = Scanner.create(ScannerConfig.all("US"));

  @Test
  void redactsEveryRoleToolArgumentsAndToolResults() throws Exception {
    ObjectNode body = (ObjectNode) JSON.readTree("""
        {"model":"m","messages":[
          {"role":"system","content":"admin is root@corp.example"},
          {"role":"user","content":[{"type":"text","text":"card 4111111111111111"},{"type":"image_url","image_url":{"url":"x"}}]},
          {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\\"email\\":\\"a@b.io\\"}"}}]},
          {"role":"tool","tool_call_id":"c1","content":"found 10.1.2.3"}]}""");
    Redactor r = new Redactor(scanner, ActionPolicy.uniform(Action.REDACT));
    List<String> paths = new ArrayList<>();
    boolean changed = PayloadTexts.rewriteRequest(body, Api.CHAT_COMPLETIONS, (text, role, path) -> {
      paths.add(role + ":" + path);
      return r.apply(text, null).text();
    });
    assertThat(changed).isTrue();
    assertThat(paths).containsExactly("system:messages[0].content", "user:messages[1].content[0].text",
        "assistant:messages[2].tool_calls[0].function.arguments", "tool:messages[3].content");
    String s = body.toString();
    assertThat(s).contains("[EMAIL]", "[CREDIT_CARD]", "[IP_ADDRESS]").doesNotContain("root@", "4111", "a@b.io", "10.1.2.3");
  }

  @Test
  void coversCompletionPromptsAndEmbeddingsInputs() throws Exception {
    ObjectNode completion = (ObjectNode) JSON.readTree("{\"prompt\":[\"x a@b.io\",\"y\"]}");
    PayloadTexts.rewriteRequest(completion, Api.COMPLETIONS, (t, role, p) -> t.replace("a@b.io", "[EMAIL]"));
    assertThat(completion.toString()).isEqualTo("{\"prompt\":[\"x [EMAIL]\",\"y\"]}");
    ObjectNode emb = (ObjectNode) JSON.readTree("{\"input\":[[1,2,3]]}");
    assertThat(PayloadTexts.rewriteRequest(emb, Api.EMBEDDINGS, (t, role, p) -> "changed")).isFalse();
  }

  @Test
  void insertsCanaryIntoTheSystemPrompt() throws Exception {
    ObjectNode body = (ObjectNode) JSON.readTree("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    PayloadTexts.appendToSystemPrompt(body, "marker X");
    assertThat(body.get("messages").get(0).toString()).isEqualTo("{\"role\":\"system\",\"content\":\"marker X\"}");
  }

  /** Pseudonyms restored in the client's stream, split across SSE chunks and tool-call arguments. */
  @Test
  void restoresPseudonymsAcrossChatCompletionChunks() throws Exception {
    PseudonymVault vault = new PseudonymVault(16);
    RequestScope scope = new RequestScope(KEY, vault);
    ObjectNode request = (ObjectNode) JSON.readTree(
        "{\"messages\":[{\"role\":\"user\",\"content\":\"Email jane@example.com the card 4111 1111 1111 1111\"}]}");
    Redactor pseudo = new Redactor(scanner, ActionPolicy.uniform(Action.PSEUDONYMISE));
    PayloadTexts.rewriteRequest(request, Api.CHAT_COMPLETIONS, (t, role, p) -> pseudo.apply(t, scope).text());
    assertThat(request.toString()).contains("[EMAIL_1]", "[CREDIT_CARD_1]").doesNotContain("jane", "4111");

    Redactor out = new Redactor(scanner, ActionPolicy.uniform(Action.REDACT));
    ChatStreamRewriter rw = new ChatStreamRewriter(Api.CHAT_COMPLETIONS, () -> TextStreamFilter.chain(
        new RedactingStreamFilter(out, scope), new RestoringStreamFilter(vault)));
    List<String> chunks = List.of(
        "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Sent to [EMA\"}}]}",
        "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"IL_1], charged [CREDIT_CA\"}}]}",
        "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"RD_1]; call me at +1 415-55\"}}]}",
        "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"to\\\":\\\"[EMAIL\"}}]}}]}",
        "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"5-2671\",\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"_1]\\\"}\"}}]}}]}",
        "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}");
    StringBuilder content = new StringBuilder();
    StringBuilder args = new StringBuilder();
    for (String c : chunks) {
      ObjectNode chunk = (ObjectNode) JSON.readTree(c);
      rw.onChunk(chunk);
      var delta = chunk.get("choices").get(0).get("delta");
      content.append(delta.path("content").asText(""));
      if (delta.has("tool_calls")) {
        args.append(delta.get("tool_calls").get(0).get("function").path("arguments").asText(""));
      }
    }
    assertThat(rw.finish()).isEmpty();
    assertThat(content.toString()).isEqualTo("Sent to jane@example.com, charged 4111 1111 1111 1111; call me at [PHONE]");
    assertThat(args.toString()).isEqualTo("{\"to\":\"jane@example.com\"}");
  }

  @Test
  void findsEveryTextOfAResponsesRequest() throws Exception {
    ObjectNode body = (ObjectNode) JSON.readTree("""
        {"model":"m","instructions":"admin is root@corp.example","input":[
          {"role":"developer","content":"be brief"},
          {"type":"message","role":"user","content":[{"type":"input_text","text":"card 4111111111111111"},
            {"type":"input_image","image_url":"data:image/png;base64,AAAA"}]},
          {"type":"function_call","call_id":"c1","name":"lookup","arguments":"{\\"email\\":\\"a@b.io\\"}"},
          {"type":"function_call_output","call_id":"c1","output":"found 10.1.2.3"},
          {"type":"reasoning","id":"r1","summary":[{"type":"summary_text","text":"user gave x@y.io"}],
            "encrypted_content":"gAAAA"},
          {"type":"mcp_call","id":"m1","server_label":"crm","name":"find","arguments":"{}","output":"owner q@r.io"},
          {"type":"item_reference","id":"msg_9"}],
         "prompt":{"id":"pmpt_1","variables":{"customer":"c@d.io"}}}""");
    Redactor r = new Redactor(scanner, ActionPolicy.uniform(Action.REDACT));
    List<String> paths = new ArrayList<>();
    assertThat(PayloadTexts.problem(body, Api.RESPONSES)).isNull();
    assertThat(PayloadTexts.rewriteRequest(body, Api.RESPONSES, (text, role, path) -> {
      paths.add(role + ":" + path);
      return r.apply(text, null).text();
    })).isTrue();
    assertThat(paths).containsExactly("system:instructions", "developer:input[0].content",
        "user:input[1].content[0].text", "assistant:input[2].arguments", "tool:input[3].output",
        "assistant:input[4].summary[0].text", "assistant:input[5].arguments", "assistant:input[5].output",
        "user:prompt.variables.customer");
    assertThat(body.toString()).contains("[EMAIL]", "[CREDIT_CARD]", "[IP_ADDRESS]", "gAAAA", "base64,AAAA")
        .doesNotContain("root@", "4111", "a@b.io", "10.1.2.3", "x@y.io", "q@r.io", "c@d.io");
  }

  @Test
  void responsesStringInputIsUserText() throws Exception {
    ObjectNode body = (ObjectNode) JSON.readTree("{\"input\":\"mail a@b.io\"}");
    List<String> paths = new ArrayList<>();
    PayloadTexts.rewriteRequest(body, Api.RESPONSES, (t, role, p) -> {
      paths.add(role + ":" + p);
      return t;
    });
    assertThat(paths).containsExactly("user:input");
  }

  @Test
  void namesMalformedResponsesItemsWithoutContent() throws Exception {
    assertThat(problem("{\"input\":42}").param()).isEqualTo("input");
    assertThat(problem("{\"input\":[\"x\"]}").param()).isEqualTo("input[0]");
    assertThat(problem("{\"input\":[{\"role\":\"user\",\"content\":7}]}").param()).isEqualTo("input[0].content");
    assertThat(problem("{\"input\":[{\"role\":\"boss\",\"content\":\"x\"}]}").param()).isEqualTo("input[0].role");
    assertThat(problem("{\"input\":[{\"type\":\"function_call_output\",\"output\":{\"a\":1}}]}").param())
        .isEqualTo("input[0].output");
    assertThat(problem("{\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":[1]}]}]}")
        .param()).isEqualTo("input[0].content[0].text");
    assertThat(problem("{\"instructions\":{},\"input\":\"x\"}").param()).isEqualTo("instructions");
    assertThat(problem("{\"input\":[{\"content\":\"x\"}]}").message()).doesNotContain("x\"");
  }

  private static PayloadTexts.Problem problem(String json) throws Exception {
    return PayloadTexts.problem(JSON.readTree(json), Api.RESPONSES);
  }

  @Test
  void appendsTheCanaryToInstructions() throws Exception {
    ObjectNode none = (ObjectNode) JSON.readTree("{\"input\":\"hi\"}");
    PayloadTexts.appendToInstructions(none, "marker X");
    assertThat(none.path("instructions").asText()).isEqualTo("marker X");
    ObjectNode some = (ObjectNode) JSON.readTree("{\"instructions\":\"Be kind.\",\"input\":\"hi\"}");
    PayloadTexts.appendToInstructions(some, "marker X");
    assertThat(some.path("instructions").asText()).isEqualTo("Be kind.\n\nmarker X");
    assertThat(PayloadTexts.systemPrompt(some, Api.RESPONSES)).startsWith("Be kind.");
  }

  @Test
  void rewritesResponsesOutputItemsAndOutputText() throws Exception {
    ObjectNode body = (ObjectNode) JSON.readTree("""
        {"object":"response","output":[
          {"type":"reasoning","summary":[]},
          {"type":"message","role":"assistant","content":[{"type":"output_text","text":"mail a@b.io","annotations":[]}]},
          {"type":"function_call","call_id":"c","name":"f","arguments":"{\\"to\\":\\"c@d.io\\"}"}],
         "output_text":"mail a@b.io"}""");
    Redactor r = new Redactor(scanner, ActionPolicy.uniform(Action.REDACT));
    List<String> paths = new ArrayList<>();
    assertThat(PayloadTexts.rewriteResponse(body, Api.RESPONSES, (text, role, path) -> {
      paths.add(role + ":" + path);
      return r.apply(text, null).text();
    })).isTrue();
    assertThat(paths).containsExactly("assistant:output[1].content[0].text", "assistant:output[2].arguments");
    assertThat(body.path("output_text").asText()).isEqualTo("mail [EMAIL]");
    assertThat(body.toString()).doesNotContain("a@b.io", "c@d.io");
  }
}

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
    RequestTexts.inspect(request, Api.CHAT_COMPLETIONS, RequestTextsTest.redacting(t -> pseudo.apply(t, scope).text()));
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
  void appendsTheCanaryToInstructions() throws Exception {
    ObjectNode none = (ObjectNode) JSON.readTree("{\"input\":\"hi\"}");
    PayloadTexts.appendToInstructions(none, "marker X");
    assertThat(none.path("instructions").asText()).isEqualTo("marker X");
    ObjectNode some = (ObjectNode) JSON.readTree("{\"instructions\":\"Be kind.\",\"input\":\"hi\"}");
    PayloadTexts.appendToInstructions(some, "marker X");
    assertThat(some.path("instructions").asText()).isEqualTo("Be kind.\n\nmarker X");
    assertThat(PayloadTexts.systemPrompt(some, Api.RESPONSES)).startsWith("Be kind.");
  }
}

package dev.portcullis.guard.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponsesStreamRewriterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Redactor REDACTOR =
      new Redactor(Scanner.create(ScannerConfig.all("US")), ActionPolicy.uniform(Action.REDACT));
  private static final byte[] KEY = "tenant-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8);

  private final ResponsesStreamRewriter rw = new ResponsesStreamRewriter(
      () -> new RedactingStreamFilter(REDACTOR, new RequestScope(KEY, new PseudonymVault(8))));

  private List<ObjectNode> send(String... events) throws Exception {
    List<ObjectNode> out = new ArrayList<>();
    for (String e : events) {
      out.addAll(rw.onEvent((ObjectNode) JSON.readTree(e)));
    }
    return out;
  }

  @Test
  void flushesAReasoningSummaryBeforeItsItemClosesWithoutADoneEvent() throws Exception {
    List<ObjectNode> out = send(
        "{\"type\":\"response.reasoning_summary_text.delta\",\"sequence_number\":0,\"item_id\":\"r\","
            + "\"output_index\":0,\"summary_index\":1,\"delta\":\"mail jane@exa\"}",
        "{\"type\":\"response.reasoning_summary_text.delta\",\"sequence_number\":1,\"item_id\":\"r\","
            + "\"output_index\":0,\"summary_index\":1,\"delta\":\"mple.com\"}",
        "{\"type\":\"response.output_item.done\",\"sequence_number\":2,\"output_index\":0,\"item\":{\"type\":"
            + "\"reasoning\",\"summary\":[{\"type\":\"summary_text\",\"text\":\"a@b.io\"},{\"type\":\"summary_text\","
            + "\"text\":\"mail jane@example.com\"}]}}");
    StringBuilder deltas = new StringBuilder();
    out.stream().filter(e -> e.has("delta")).forEach(e -> deltas.append(e.get("delta").asText()));
    assertThat(deltas.toString()).isEqualTo("mail [EMAIL]");
    assertThat(out).hasSize(4);
    assertThat(out.get(2).path("summary_index").asInt()).isEqualTo(1);
    assertThat(out.get(3).at("/item/summary/1/text").asText()).isEqualTo("mail [EMAIL]");
    // a text never streamed as deltas is filtered whole
    assertThat(out.get(3).at("/item/summary/0/text").asText()).isEqualTo("[EMAIL]");
    assertThat(out.stream().map(e -> e.path("sequence_number").asInt()).toList()).containsExactly(0, 1, 2, 3);
  }

  @Test
  void snapshotsAreFilteredWhole() throws Exception {
    List<ObjectNode> out = send("{\"type\":\"response.output_item.added\",\"sequence_number\":0,\"output_index\":0,"
        + "\"item\":{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\","
        + "\"text\":\"call 10.1.2.3\"}]}}");
    assertThat(out.getFirst().at("/item/content/0/text").asText()).isEqualTo("call [IP_ADDRESS]");
  }

  @Test
  void aDeltaAfterItsTextClosedIsAMalformedStream() throws Exception {
    send("{\"type\":\"response.output_text.delta\",\"output_index\":0,\"content_index\":0,\"delta\":\"hi\"}",
        "{\"type\":\"response.output_text.done\",\"output_index\":0,\"content_index\":0,\"text\":\"hi\"}");
    assertThatThrownBy(() -> send(
        "{\"type\":\"response.output_text.delta\",\"output_index\":0,\"content_index\":0,\"delta\":\"more\"}"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void textStreamsOfUnknownTypesAreFilteredToo() throws Exception {
    List<ObjectNode> out = send(
        "{\"type\":\"response.audio.transcript.delta\",\"sequence_number\":0,\"item_id\":\"a\","
            + "\"output_index\":0,\"delta\":\"write to jane@exa\"}",
        "{\"type\":\"response.audio.transcript.delta\",\"sequence_number\":1,\"item_id\":\"a\","
            + "\"output_index\":0,\"delta\":\"mple.com now\"}",
        "{\"type\":\"response.audio.transcript.done\",\"sequence_number\":2,\"item_id\":\"a\","
            + "\"output_index\":0,\"transcript\":\"write to jane@example.com now\"}");
    StringBuilder deltas = new StringBuilder();
    out.stream().filter(e -> e.has("delta")).forEach(e -> deltas.append(e.get("delta").asText()));
    assertThat(deltas.toString()).isEqualTo("write to [EMAIL] now");
    assertThat(out.getLast().path("transcript").asText()).isEqualTo(deltas.toString());
    assertThat(out.getLast().path("item_id").asText()).isEqualTo("a");
    assertThat(out.stream().map(e -> e.path("sequence_number").asInt()).toList()).containsExactly(0, 1, 2, 3);
  }
}

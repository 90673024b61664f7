package dev.portcullis.guard.payload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
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
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Any chunking of a Responses stream's message text and function-call arguments: the concatenated deltas equal the
 * whole-text redaction, the closing events ({@code .done}, {@code output_item.done}, {@code response.completed})
 * carry exactly that text, and sequence numbers stay consecutive.
 */
class ResponsesStreamRewriterPropertiesTest {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final Redactor REDACTOR =
      new Redactor(Scanner.create(ScannerConfig.all("US")), ActionPolicy.uniform(Action.REDACT));
  private static final byte[] KEY = "tenant-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8);

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.oneOf(
            Arbitraries.of("jane@example.com", "4111 1111 1111 1111", "+1 415-555-2671", "AKIAIOSFODNN7EXAMPLE",
                "call ", "the ", "\"x\": \"", "\n", "12", "@", "."),
            Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(5))
        .list().ofMaxSize(15).map(l -> String.join("", l));
  }

  @Provide
  Arbitrary<List<Integer>> cuts() {
    return Arbitraries.integers().between(0, 200).list().ofMaxSize(12);
  }

  @Property(tries = 300)
  void deltasAndClosingEventsEqualWholeRedaction(@ForAll("texts") String text, @ForAll("texts") String args,
      @ForAll("cuts") List<Integer> textCuts, @ForAll("cuts") List<Integer> argCuts, @ForAll boolean closed) {
    ResponsesStreamRewriter rw = new ResponsesStreamRewriter(
        () -> new RedactingStreamFilter(REDACTOR, new RequestScope(KEY, new PseudonymVault(8))));
    List<ObjectNode> sent = new ArrayList<>();
    int[] seq = {0};
    List<String> t = split(text, textCuts);
    List<String> a = split(args, argCuts);
    for (int k = 0; k < Math.max(t.size(), a.size()); k++) {
      if (k < t.size()) {
        sent.addAll(rw.onEvent(event("response.output_text.delta", seq, 0).put("content_index", 0)
            .put("delta", t.get(k))));
      }
      if (k < a.size()) {
        sent.addAll(rw.onEvent(event("response.function_call_arguments.delta", seq, 1).put("delta", a.get(k))));
      }
    }
    if (closed) {
      sent.addAll(rw.onEvent(event("response.output_text.done", seq, 0).put("content_index", 0).put("text", text)));
      sent.addAll(rw.onEvent(event("response.function_call_arguments.done", seq, 1).put("arguments", args)));
      ObjectNode done = event("response.output_item.done", seq, 0);
      done.set("item", message(text));
      sent.addAll(rw.onEvent(done));
      ObjectNode completed = event("response.completed", seq, -1);
      ObjectNode response = completed.putObject("response").put("status", "completed")
          .put("output_text", text);
      response.putArray("output").add(message(text)).addObject().put("type", "function_call").put("arguments", args);
      sent.addAll(rw.onEvent(completed));
    }
    sent.addAll(rw.finish());

    String expectedText = REDACTOR.apply(text, null).text();
    String expectedArgs = REDACTOR.apply(args, null).text();
    assertThat(deltas(sent, "response.output_text.delta")).isEqualTo(expectedText);
    assertThat(deltas(sent, "response.function_call_arguments.delta")).isEqualTo(expectedArgs);
    for (int i = 0; i < sent.size(); i++) {
      assertThat(sent.get(i).path("sequence_number").asInt()).isEqualTo(i);
    }
    if (closed) {
      assertThat(find(sent, "response.output_text.done").path("text").asText()).isEqualTo(expectedText);
      assertThat(find(sent, "response.function_call_arguments.done").path("arguments").asText())
          .isEqualTo(expectedArgs);
      assertThat(find(sent, "response.output_item.done").at("/item/content/0/text").asText()).isEqualTo(expectedText);
      ObjectNode response = (ObjectNode) find(sent, "response.completed").get("response");
      assertThat(response.at("/output/0/content/0/text").asText()).isEqualTo(expectedText);
      assertThat(response.at("/output/1/arguments").asText()).isEqualTo(expectedArgs);
      assertThat(response.path("output_text").asText()).isEqualTo(expectedText);
      // nothing is held back past the closing events
      assertThat(sent.getLast().path("type").asText()).isEqualTo("response.completed");
    }
  }

  private static ObjectNode event(String type, int[] seq, int output) {
    ObjectNode e = F.objectNode().put("type", type).put("sequence_number", seq[0]++);
    if (output >= 0) {
      e.put("item_id", output == 0 ? "msg_1" : "fc_1").put("output_index", output);
    }
    return e;
  }

  private static ObjectNode message(String text) {
    ObjectNode m = F.objectNode().put("type", "message").put("id", "msg_1").put("role", "assistant");
    m.putArray("content").addObject().put("type", "output_text").put("text", text).putArray("annotations");
    return m;
  }

  private static String deltas(List<ObjectNode> events, String type) {
    StringBuilder sb = new StringBuilder();
    for (ObjectNode e : events) {
      if (e.path("type").asText().equals(type)) {
        sb.append(e.path("delta").asText());
      }
    }
    return sb.toString();
  }

  private static ObjectNode find(List<ObjectNode> events, String type) {
    return events.stream().filter(e -> e.path("type").asText().equals(type)).findFirst().orElseThrow();
  }

  static List<String> split(String text, List<Integer> cuts) {
    List<Integer> pts = new ArrayList<>();
    for (int c : cuts) {
      pts.add(Math.min(c, text.length()));
    }
    pts.sort(Integer::compare);
    List<String> parts = new ArrayList<>();
    int prev = 0;
    for (int p : pts) {
      parts.add(text.substring(prev, p));
      prev = p;
    }
    parts.add(text.substring(prev));
    return parts;
  }
}

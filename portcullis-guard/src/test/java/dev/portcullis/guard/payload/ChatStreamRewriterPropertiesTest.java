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

/** Any chunking of a chat completion's content and tool arguments: concatenated output == whole-text redaction. */
class ChatStreamRewriterPropertiesTest {
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

  private static List<String> split(String text, List<Integer> cuts) {
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

  @Property(tries = 300)
  void contentAndToolArgumentsEqualWholeRedaction(@ForAll("texts") String content, @ForAll("texts") String args,
      @ForAll("cuts") List<Integer> contentCuts, @ForAll("cuts") List<Integer> argCuts, @ForAll boolean finishReason) {
    ChatStreamRewriter rw = new ChatStreamRewriter(Api.CHAT_COMPLETIONS,
        () -> new RedactingStreamFilter(REDACTOR, new RequestScope(KEY, new PseudonymVault(8))));
    List<String> c = split(content, contentCuts);
    List<String> a = split(args, argCuts);
    StringBuilder outContent = new StringBuilder();
    StringBuilder outArgs = new StringBuilder();
    for (int k = 0; k < Math.max(c.size(), a.size()); k++) {
      ObjectNode chunk = JsonNodeFactory.instance.objectNode();
      ObjectNode choice = chunk.putArray("choices").addObject();
      choice.put("index", 0);
      ObjectNode delta = choice.putObject("delta");
      if (k < c.size()) {
        delta.put("content", c.get(k));
      }
      if (k < a.size()) {
        delta.putArray("tool_calls").addObject().put("index", 0).putObject("function").put("arguments", a.get(k));
      }
      rw.onChunk(chunk);
      collect(chunk, outContent, outArgs);
    }
    if (finishReason) {
      ObjectNode last = JsonNodeFactory.instance.objectNode();
      last.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop").putObject("delta");
      rw.onChunk(last);
      collect(last, outContent, outArgs);
    }
    for (ObjectNode extra : rw.finish()) {
      collect(extra, outContent, outArgs);
    }
    assertThat(outContent.toString()).isEqualTo(REDACTOR.apply(content, null).text());
    assertThat(outArgs.toString()).isEqualTo(REDACTOR.apply(args, null).text());
  }

  private static void collect(ObjectNode chunk, StringBuilder content, StringBuilder args) {
    var delta = chunk.get("choices").get(0).get("delta");
    if (delta == null) {
      return;
    }
    content.append(delta.path("content").asText(""));
    if (delta.has("tool_calls")) {
      args.append(delta.get("tool_calls").get(0).get("function").path("arguments").asText(""));
    }
  }
}

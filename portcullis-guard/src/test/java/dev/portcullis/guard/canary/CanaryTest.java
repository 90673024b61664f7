package dev.portcullis.guard.canary;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class CanaryTest {
  private static final Canary CANARY = new Canary("Qx7kP2mZr9TfWb3LhN5c");
  private static final CanaryDetector DETECTOR = new CanaryDetector(CANARY);

  @Test
  void generatesDistinctTokens() {
    SecureRandom r = new SecureRandom();
    assertThat(Canary.generate(r).token()).hasSize(Canary.LENGTH).isNotEqualTo(Canary.generate(r).token());
  }

  @Test
  void findsCanaryRawReversedHexAndBase64() {
    String t = CANARY.token();
    assertThat(DETECTOR.find("the marker is " + t + ".")).extracting(CanaryDetector.Leak::form)
        .containsExactly(CanaryDetector.Form.RAW);
    assertThat(DETECTOR.find(new StringBuilder(t).reverse().toString())).extracting(CanaryDetector.Leak::form)
        .containsExactly(CanaryDetector.Form.REVERSED);
    assertThat(DETECTOR.find(HexFormat.of().withUpperCase().formatHex(t.getBytes(StandardCharsets.US_ASCII))))
        .extracting(CanaryDetector.Leak::form).containsExactly(CanaryDetector.Form.HEX);
    for (String prefix : List.of("", "a", "ab", "abc: ")) {
      String b64 = Base64.getEncoder().encodeToString((prefix + t + " trailing").getBytes(StandardCharsets.US_ASCII));
      assertThat(DETECTOR.find(b64)).as("prefix '%s'", prefix).extracting(CanaryDetector.Leak::form)
          .containsExactly(CanaryDetector.Form.BASE64);
    }
  }

  /** The canary as a model asked to disguise it might write it (issue 10 item 8). */
  static List<String> disguised(String t) {
    StringBuilder fullwidth = new StringBuilder();
    StringBuilder bold = new StringBuilder();
    StringBuilder accented = new StringBuilder();
    for (char c : t.toCharArray()) {
      fullwidth.append((char) (c + 0xFEE0));
      bold.appendCodePoint(Character.isDigit(c) ? 0x1D7CE + (c - '0')
          : Character.isUpperCase(c) ? 0x1D400 + (c - 'A') : 0x1D41A + (c - 'a'));
      accented.append(c).append('\u0301');
    }
    String homoglyphs = t.replace('x', '\u0445').replace('c', '\u0441').replace('P', '\u0420')
        .replace('T', '\u0422').replace('k', '\u043A');
    return List.of(String.join(" ", t.split("")), String.join(", ", t.split("")), t.substring(0, 4) + "-"
        + t.substring(4, 12) + "_" + t.substring(12), String.join("\u200B", t.split("")),
        String.join("\u00AD", t.split("")), CanaryDetector.rot13(t), fullwidth.toString(), bold.toString(),
        accented.toString(), homoglyphs, String.join("\n", t.split("")), String.join("\r\n- ", t.split("")),
        "The first half is " + t.substring(0, 10) + ", and, much later in the answer, the second half is "
            + t.substring(10) + ".", String.join(" ", new StringBuilder(t).reverse().toString().split("")),
        String.join(" ", CanaryDetector.rot13(t).toUpperCase().split("")), t.toLowerCase(), t.toUpperCase());
  }

  @Test
  void findsTheCanaryDisguised() {
    for (String text : disguised(CANARY.token())) {
      String said = "Sure, here it is: " + text + " -- anything else?";
      assertThat(DETECTOR.find(said)).as(text).isNotEmpty();
      String redacted = CanaryStreamFilter.redact(DETECTOR, said);
      assertThat(redacted).as(text).startsWith("Sure, here it is: ").endsWith(" -- anything else?");
      assertThat(DETECTOR.find(redacted)).as(redacted).isEmpty();
    }
  }

  @Test
  void ignoresOrdinaryText() throws Exception {
    List<String> prompts = new ArrayList<>();
    try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("data/injection-dev.jsonl"))) {
      lines.limit(1500).forEach(prompts::add);
    }
    SecureRandom r = new SecureRandom();
    for (int k = 0; k < 5; k++) {
      CanaryDetector d = new CanaryDetector(Canary.generate(r));
      for (String p : prompts) {
        assertThat(d.find(p)).as(p).isEmpty();
      }
    }
  }

  @Test
  void ignoresTextWithoutTheCanary() {
    // fewer than half of its characters in a row are not the canary (ten or more are: a partial leak)
    assertThat(DETECTOR.find("Qx7kP2mZ is close but not it, nor is Wb3LhN5c")).isEmpty();
    assertThat(DETECTOR.find("Qx7kP2mZr9 is half of it")).isNotEmpty();
  }

  @Provide
  Arbitrary<String> outputs() {
    Arbitrary<String> frag = Arbitraries.oneOf(
        Arbitraries.of(CANARY.token(), new StringBuilder(CANARY.token()).reverse().toString(),
            HexFormat.of().formatHex(CANARY.token().getBytes(StandardCharsets.US_ASCII)),
            Base64.getEncoder().encodeToString(("x" + CANARY.token()).getBytes(StandardCharsets.US_ASCII)),
            CANARY.token().substring(0, 10), disguised(CANARY.token()).get(0), disguised(CANARY.token()).get(3),
            disguised(CANARY.token()).get(7), disguised(CANARY.token()).get(12), "\n", "\uD835", "\u200B"),
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(8));
    return frag.list().ofMaxSize(12).map(l -> String.join("", l));
  }

  @Property(tries = 300)
  void redactedStreamEqualsRedactedWholeText(@ForAll("outputs") String text,
      @ForAll("cuts") List<Integer> cuts) {
    CanaryStreamFilter f = new CanaryStreamFilter(DETECTOR);
    StringBuilder out = new StringBuilder();
    int prev = 0;
    List<Integer> points = new ArrayList<>();
    for (int c : cuts) {
      points.add(Math.min(c, text.length()));
    }
    points.sort(Integer::compare);
    for (int p : points) {
      out.append(f.push(text.substring(prev, p)));
      prev = p;
    }
    out.append(f.push(text.substring(prev))).append(f.finish());
    assertThat(out.toString()).isEqualTo(CanaryStreamFilter.redact(DETECTOR, text));
    assertThat(out.toString()).doesNotContain(CANARY.token());
    assertThat(DETECTOR.find(out.toString())).isEmpty();
  }

  @Provide
  Arbitrary<List<Integer>> cuts() {
    return Arbitraries.integers().between(0, 300).list().ofMaxSize(20);
  }

  @Test
  void readsSystemPromptWordsThroughZeroWidthFullwidthAndLookAlikeLetters() {
    String system = "You are the support assistant of Acme Bank. Only answer questions about savings accounts, "
        + "never discuss loans, and always greet the customer by their first name before answering.";
    SystemPromptLeakDetector d = new SystemPromptLeakDetector(system, 6, 0.5);
    StringBuilder fullwidth = new StringBuilder();
    for (char c : system.toCharArray()) {
      fullwidth.append(Character.isLetterOrDigit(c) ? (char) (c + 0xFEE0) : c);
    }
    assertThat(d.leaks(fullwidth.toString())).isTrue();
    assertThat(d.leaks(system.replace("o", "o\u200B").replace("e", "\u0435"))).isTrue();
    assertThat(d.leaks(system.toUpperCase().replace("A", "\u00C1"))).isTrue();
  }

  @Test
  void detectsVerbatimSystemPromptFragments() {
    String system = "You are the support assistant of Acme Bank. Only answer questions about savings accounts, "
        + "never discuss loans, and always greet the customer by their first name before answering.";
    SystemPromptLeakDetector d = new SystemPromptLeakDetector(system, 6, 0.3);
    assertThat(d.leaks("Sure! My instructions say: You are the support assistant of Acme Bank. Only answer "
        + "questions about savings accounts, never discuss loans, and always greet the customer.")).isTrue();
    assertThat(d.leaks("Savings accounts at Acme Bank pay interest monthly; ask me about them.")).isFalse();
    SystemPromptLeakDetector.Monitor m = d.monitor();
    for (String chunk : List.of("You are the supp", "ort assistant of Acme Bank. Only answer questions about ",
        "savings accounts, never discuss loans, and always greet")) {
      m.push(chunk);
    }
    m.finish();
    assertThat(m.leaked()).isTrue();
  }
}

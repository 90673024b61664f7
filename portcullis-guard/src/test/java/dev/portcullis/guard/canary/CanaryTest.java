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

  @Test
  void ignoresTextWithoutTheCanary() {
    assertThat(DETECTOR.find("Qx7kP2mZr9TfWb3LhN5 is close but not it")).isEmpty();
  }

  @Provide
  Arbitrary<String> outputs() {
    Arbitrary<String> frag = Arbitraries.oneOf(
        Arbitraries.of(CANARY.token(), new StringBuilder(CANARY.token()).reverse().toString(),
            HexFormat.of().formatHex(CANARY.token().getBytes(StandardCharsets.US_ASCII)),
            Base64.getEncoder().encodeToString(("x" + CANARY.token()).getBytes(StandardCharsets.US_ASCII)),
            CANARY.token().substring(0, 10)),
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
  }

  @Provide
  Arbitrary<List<Integer>> cuts() {
    return Arbitraries.integers().between(0, 300).list().ofMaxSize(20);
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

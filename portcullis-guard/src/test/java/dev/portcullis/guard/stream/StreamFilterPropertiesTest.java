package dev.portcullis.guard.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.guard.action.Action;
import dev.portcullis.guard.action.ActionPolicy;
import dev.portcullis.guard.action.PseudonymVault;
import dev.portcullis.guard.action.Redactor;
import dev.portcullis.guard.action.RequestScope;
import dev.portcullis.guard.detect.FindingType;
import dev.portcullis.guard.detect.Scanner;
import dev.portcullis.guard.detect.ScannerConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Any chunking of any text: the concatenated filtered stream equals the filtered whole text. */
class StreamFilterPropertiesTest {
  private static final Scanner SCANNER = Scanner.create(ScannerConfig.all("US"));
  private static final byte[] KEY = "tenant-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private static final ActionPolicy MIXED = ActionPolicy.uniform(Action.REDACT)
      .with(FindingType.CREDIT_CARD, Action.MASK)
      .with(FindingType.EMAIL, Action.PSEUDONYMISE)
      .with(FindingType.PHONE, Action.HASH)
      .with(FindingType.AWS_ACCESS_KEY, Action.BLOCK);

  private static final List<String> FRAGMENTS = List.of(
      "jane.doe@example.com", "bob@mail.example.org", "a@b", "@", "x@y.z", "4111 1111 1111 1111", "4111111111111111",
      "5555-5555-5555-4444", "123-45-6789", "+1 415-555-2671", "(415) 555-2671", "192.168.0.1", "10.0.0.256",
      "2001:db8::1", "00:1a:2b:3c:4d:5e", "GB29 NWBK 6016 1331 9268 19", "DE89370400440532013000", "AB 12 34 56 C",
      "130-692-544", "2341 2341 2346", "ABCPE1234F", "AKIAIOSFODNN7EXAMPLE", "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",
      "glpat-hellOworld380_testin", "xoxb-34532454-e039d02840a0b9379c", "sk_live_ReTllpYQYfIZu2Jnf2lAPFjD",
      "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", "AIzaSyA1234567890abcdefghijklmnopqrstuv",
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
      "MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs", "343ea45721923ed956e2b38c31db76aa-us30",
      "110201543:AAHdqTcvCH1vGWJxfSe1ofSAs0K5PALDsaw", "AKCp5e2gqR7mTx9", "SK0123456789abcdef0123456789abcdef",
      "AccountKey=lJzRc1YdHaAA2KCNJJ1tkYwF/+mKK6Ygw0NGe170Xu592euJv2wYUtBlV8z+qnlcNQSnIYVTkLWntUO1F8j8rQ==",
      "sq0csp-ABCDEFGHIJK_LMNOPQRSTUVWXYZ-0123456789abcd", "\"john.doe\"@example.com", "\"x", "ｇｍａｉｌ", "A9 C5 D4 9F EB D3", "fe80::1234%eth0", "-----BEGIN ", "password = \"s3cr3tP4ssw0rdX9\"",
      "token: ", "api_key=", "the", "quick", "brown", "fox", "and", "cafe", "be-all", "12", "2024", "3.14", "+", "(", ")",
      "-", ".", ":", "::", "\"", "'", "=", "\n", " ", " ", " ", "é", "\u200B", "😀", "ghp_", "sk-", "xox", "eyJ", "AKIA",
      // issue 10 item 6: what the scanner reads through its normalised view, split anywhere
      "ja\u200Bne@exam\u00ADple.com", "jane%40example.com", "jane\uFF20example.com", "AK\u0406AIOSFODNN7EXAMPLE",
      "AKIA\u0000IOSFODNN7EXAMPLE", "41\u0301 11 1111 1111 1111", "\u0410KIA", "%40", "%4", "%", "%%41", "%2540",
      "\u00AD", "\u0000", "\u0301", "\uFF20", "\uFF14\uFF11", "\u0663", "\u00BD", "\uFB01", "\uD83D", "\uDE00",
      "\u200B".repeat(33), "\u200B".repeat(40) + "x", "\uDB40\uDC41");

  @Provide
  Arbitrary<String> texts() {
    Arbitrary<String> fragment = Arbitraries.oneOf(
        Arbitraries.of(FRAGMENTS),
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(6),
        Arbitraries.strings().withChars("0123456789 -.@:abcdefAB").ofMaxLength(8));
    return fragment.list().ofMaxSize(25).map(l -> String.join("", l));
  }

  @Provide
  Arbitrary<List<Integer>> cuts() {
    return Arbitraries.integers().between(0, 400).list().ofMaxSize(30);
  }

  private static List<String> chunk(String text, List<Integer> cuts) {
    List<Integer> points = new ArrayList<>();
    for (int c : cuts) {
      points.add(Math.min(c, text.length()));
    }
    points.sort(Integer::compare);
    List<String> chunks = new ArrayList<>();
    int prev = 0;
    for (int p : points) {
      chunks.add(text.substring(prev, p));
      prev = p;
    }
    chunks.add(text.substring(prev));
    return chunks;
  }

  private static String stream(TextStreamFilter filter, List<String> chunks) {
    StringBuilder out = new StringBuilder();
    for (String c : chunks) {
      out.append(filter.push(c));
    }
    return out.append(filter.finish()).toString();
  }

  @Property(tries = 600)
  void redactedStreamEqualsRedactedWholeText(@ForAll("texts") String text, @ForAll("cuts") List<Integer> cuts) {
    Redactor redactor = new Redactor(SCANNER, MIXED);
    String whole = redactor.apply(text, new RequestScope(KEY, new PseudonymVault(100))).text();
    String streamed = stream(new RedactingStreamFilter(redactor, new RequestScope(KEY, new PseudonymVault(100))),
        chunk(text, cuts));
    assertThat(streamed).isEqualTo(whole);
  }

  @org.junit.jupiter.api.Test
  void aFindingShadowedByOneThatMoreTextUndoesIsStillFound() {
    // an e-mail ("…6789A`jane.doe@example.co") hides the keyword secret until "m4111" makes its domain invalid;
    // the stream must not have emitted past the keyword by then
    redactedStreamEqualsRedactedWholeText("token: 123-45-6789A`jane.doe@example.com4111 1111 1111 1111", List.of(39));
  }

  @Provide
  Arbitrary<String> longTexts() {
    Arbitrary<String> fragment = Arbitraries.oneOf(
        Arbitraries.of(FRAGMENTS),
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(40),
        Arbitraries.strings().withChars("\u200B\u00AD%40 abc").ofMaxLength(60));
    return fragment.list().ofMinSize(50).ofMaxSize(300).map(l -> String.join("", l));
  }

  @Provide
  Arbitrary<List<Integer>> longCuts() {
    return Arbitraries.integers().between(0, 8000).list().ofMaxSize(200);
  }

  /** Long enough for the filter to drop old text: what it keeps must still give the same findings. */
  @Property(tries = 100)
  void redactedLongStreamEqualsRedactedWholeText(@ForAll("longTexts") String text,
      @ForAll("longCuts") List<Integer> cuts) {
    redactedStreamEqualsRedactedWholeText(text, cuts);
  }

  @Provide
  Arbitrary<String> responses() {
    Arbitrary<String> fragment = Arbitraries.oneOf(
        Arbitraries.of("[EMAIL_1]", "[EMAIL_2]", "[PHONE_1]", "[EMAIL_", "[", "]", "[EMAIL_9]", "[[EMAIL_1]]", "_1]"),
        Arbitraries.strings().withChars("[]_AEILM12 xyz").ofMaxLength(6),
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(5));
    return fragment.list().ofMaxSize(20).map(l -> String.join("", l));
  }

  @Property(tries = 400)
  void restoredStreamEqualsRestoredWholeText(@ForAll("responses") String text, @ForAll("cuts") List<Integer> cuts) {
    Supplier<PseudonymVault> vaults = () -> {
      PseudonymVault v = new PseudonymVault(10);
      v.placeholderFor(FindingType.EMAIL, "jane@example.com");
      v.placeholderFor(FindingType.EMAIL, "bob@example.org");
      v.placeholderFor(FindingType.PHONE, "+1 415-555-2671");
      return v;
    };
    String whole = vaults.get().restore(text);
    String streamed = stream(new RestoringStreamFilter(vaults.get()), chunk(text, cuts));
    assertThat(streamed).isEqualTo(whole);
  }

  @Provide
  Arbitrary<String> roundTrips() {
    return Combinators.combine(texts(), texts()).as((a, b) -> a + " " + b);
  }

  @Property(tries = 200)
  void pseudonymisedThenRestoredStreamGivesBackTheOriginalValues(@ForAll("roundTrips") String text,
      @ForAll("cuts") List<Integer> cuts) {
    Redactor pseudo = new Redactor(SCANNER, ActionPolicy.uniform(Action.PSEUDONYMISE));
    PseudonymVault vault = new PseudonymVault(1000);
    String upstream = pseudo.apply(text, new RequestScope(KEY, vault)).text();
    String restored = stream(new RestoringStreamFilter(vault), chunk(upstream, cuts));
    assertThat(restored).isEqualTo(text);
  }
}

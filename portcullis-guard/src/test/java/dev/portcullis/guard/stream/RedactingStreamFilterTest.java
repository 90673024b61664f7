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
import org.junit.jupiter.api.Test;

class RedactingStreamFilterTest {
  private static final byte[] KEY = "tenant-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private final Scanner scanner = Scanner.create(ScannerConfig.all("US"));

  @Test
  void redactsCardSplitAcrossChunks() {
    var f = new RedactingStreamFilter(new Redactor(scanner, ActionPolicy.uniform(Action.REDACT)),
        new RequestScope(KEY, new PseudonymVault(8)));
    String out = f.push("Your card 4111 11") + f.push("11 1111 1") + f.push("111 is on file.") + f.finish();
    assertThat(out).isEqualTo("Your card [CREDIT_CARD] is on file.");
  }

  @Test
  void emitsProseWithoutHoldingBackMoreThanTheLastWord() {
    var f = new RedactingStreamFilter(new Redactor(scanner, ActionPolicy.uniform(Action.REDACT)),
        new RequestScope(KEY, new PseudonymVault(8)));
    String out = f.push("The weather today is sunny and warm");
    assertThat(out).isEqualTo("The weather today is sunny and ");
    assertThat(f.heldBack()).isEqualTo("warm".length());
  }

  @Test
  void restoresPseudonymisedEmailInAStreamedResponse() {
    // The upstream only ever sees the placeholder; the client gets its own value back, even split mid-placeholder.
    PseudonymVault vault = new PseudonymVault(8);
    Redactor pseudo = new Redactor(scanner, ActionPolicy.uniform(Action.PSEUDONYMISE));
    String upstreamPrompt = pseudo.apply("Write to jane@example.com about it", new RequestScope(KEY, vault)).text();
    assertThat(upstreamPrompt).isEqualTo("Write to [EMAIL_1] about it").doesNotContain("jane");

    TextStreamFilter response = TextStreamFilter.chain(
        new RedactingStreamFilter(new Redactor(scanner, ActionPolicy.uniform(Action.REDACT)), new RequestScope(KEY, vault)),
        new RestoringStreamFilter(vault));
    String out = response.push("Sure, I will email [EM") + response.push("AIL_") + response.push("1] today.")
        + response.finish();
    assertThat(out).isEqualTo("Sure, I will email jane@example.com today.");
  }

  @Test
  void reportsBlockedTypesWithoutEmittingTheValue() {
    var f = new RedactingStreamFilter(
        new Redactor(scanner, ActionPolicy.uniform(Action.REDACT).with(FindingType.AWS_ACCESS_KEY, Action.BLOCK)),
        new RequestScope(KEY, new PseudonymVault(8)));
    String out = f.push("key AKIAIOSFOD") + f.push("NN7EXAMPLE and more");
    assertThat(out).doesNotContain("AKIA").contains("[AWS_ACCESS_KEY]");
    assertThat(f.blockedTypes()).containsExactly(FindingType.AWS_ACCESS_KEY);
  }

  @Test
  void holdBackStaysBoundedWhateverTheInput() {
    var f = new RedactingStreamFilter(new Redactor(scanner, ActionPolicy.uniform(Action.REDACT)),
        new RequestScope(KEY, new PseudonymVault(8)));
    f.push("password =");
    for (int i = 0; i < 2000; i++) {
      f.push("      ");
    }
    assertThat(f.heldBack()).isLessThanOrEqualTo(Scanner.MAX_LOOKAHEAD);
    StringBuilder out = new StringBuilder(f.push("-----BEGIN RSA PRIVATE KEY-----\n"));
    String line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\n";
    for (int i = 0; i < 400; i++) {
      out.append(f.push(line));
      assertThat(f.heldBack()).isLessThanOrEqualTo(Scanner.MAX_LOOKAHEAD + Scanner.MAX_LOOKBEHIND);
    }
    out.append(f.finish());
    // the block is redacted up to the documented 8,192-character cap; only lines past the cap come through
    assertThat(out.indexOf("[PRIVATE_KEY]")).isGreaterThanOrEqualTo(0).isLessThan(out.indexOf("QUJD"));
    int leaked = (out.length() - out.toString().replace(line, "").length()) / line.length();
    assertThat(leaked).isLessThanOrEqualTo(400 - (Scanner.MAX_LOOKAHEAD - 40) / line.length());
  }
}

package dev.portcullis.guard.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.guard.action.Action;
import dev.portcullis.guard.action.ActionPolicy;
import dev.portcullis.guard.action.Redactor;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Issue 10 item 6: values hidden by Unicode or percent-encoding are found, and redaction removes all of them. */
class NormalisedScanTest {
  private static final Scanner SCANNER = Scanner.create(ScannerConfig.all("US"));
  private static final Redactor REDACT = new Redactor(SCANNER, ActionPolicy.uniform(Action.REDACT));

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      zero-width space in an e-mail      | write to jane\\u200B.doe@example.com now | EMAIL
      soft hyphen in an e-mail domain    | write to jane.doe@exam\\u00ADple.com now | EMAIL
      fullwidth at sign                  | write to jane.doe\\uFF20example.com now  | EMAIL
      percent-encoded at sign            | write to jane.doe%40example.com now     | EMAIL
      NUL inside an AWS key              | key AKIA\\u0000IOSFODNN7EXAMPLE here    | AWS_ACCESS_KEY
      Cyrillic I in an AWS key           | key AK\\u0406AIOSFODNN7EXAMPLE here     | AWS_ACCESS_KEY
      Cyrillic A in an AWS key           | key \\u0410KIAIOSFODNN7EXAMPLE here     | AWS_ACCESS_KEY
      combining mark in a card           | card 411\\u03011 1111 1111 1111 ok      | CREDIT_CARD
      fullwidth digits in a card         | card \\uFF14\\uFF11\\uFF11\\uFF11 1111 1111 1111 ok | CREDIT_CARD
      tag characters in an SSN           | ssn 123-4\\uDB40\\uDC415-6789 ok         | US_SSN
      word joiner in a GitHub token      | ghp_wWPw5k4aXcaT4fNP0\\u2060UcnZwJUVFk6LO0pINUx | GITHUB_TOKEN
      """)
  void findsValuesHiddenByInvisibleOrLookalikeCharacters(String name, String escaped, FindingType type) {
    String text = unescape(escaped);
    List<Finding> found = SCANNER.scan(text);
    assertThat(found).extracting(Finding::type).contains(type);
    String redacted = REDACT.apply(text, null).text();
    // nothing of the value is left: neither the characters around the hidden one, nor the hidden one itself
    assertThat(redacted).contains("[").doesNotContain("@example").doesNotContain("example.com")
        .doesNotContain("IOSFODNN").doesNotContain("1111").doesNotContain("6789").doesNotContain("UcnZ")
        .doesNotContain("\u200B").doesNotContain("\u0000").doesNotContain("\uFF20").doesNotContain("%40");
  }

  @Test
  void findingsSpanTheWholeOriginalValue() {
    String text = "to ja\u200Bne@exa%6Dple.com.";
    Finding f = SCANNER.scan(text).getFirst();
    assertThat(text.substring(f.start(), f.end())).isEqualTo("ja\u200Bne@exa%6Dple.com");
  }

  @Test
  void plainTextAndOrdinaryUnicodeReadAsBefore() {
    assertThat(SCANNER.scan("Grüße aus Köln, 東京 and café — nothing to see")).isEmpty();
    assertThat(SCANNER.scan("100% sure, 50%off")).isEmpty();
    assertThat(FoldedText.plain("jane@example.com", 0, 16)).isTrue();
    assertThat(FoldedText.plain("50%", 0, 3)).isFalse();
  }

  @Test
  void aLongRunOfInvisibleCharactersSeparatesWhatItSplits() {
    String hidden = "jane" + "\u200B".repeat(FoldedText.MAX_INVISIBLE_RUN) + "@example.com";
    assertThat(SCANNER.scan(hidden)).extracting(Finding::type).containsExactly(FindingType.EMAIL);
    String split = "AKIA" + "\u200B".repeat(FoldedText.MAX_INVISIBLE_RUN + 1) + "IOSFODNN7EXAMPLE";
    assertThat(SCANNER.scan(split)).isEmpty();
  }

  private static String unescape(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      if (s.startsWith("\\u", i)) {
        sb.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
        i += 5;
      } else {
        sb.append(s.charAt(i));
      }
    }
    return sb.toString();
  }
}

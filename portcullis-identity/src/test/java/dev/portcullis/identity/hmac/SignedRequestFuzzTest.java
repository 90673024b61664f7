package dev.portcullis.identity.hmac;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes what a signed request's caller controls: the {@code Authorization} header and the query string. Bad input
 * is {@code null} (header) or {@link IllegalArgumentException} (query); anything else is a finding. Runs its seed
 * corpus on every build; {@code JAZZER_FUZZ=1} fuzzes it (docs/security-testing.md).
 */
class SignedRequestFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void headerParserAnswersOrRefuses(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    SignedRequestHeader header = SignedRequestHeader.parse(text);
    if (header != null) {
      assertThat(header.keyId()).isNotEmpty();
      assertThat(header.signature()).hasSize(43);
      assertThat(header.timestamp()).isNotNegative();
    }
    SignedRequestHeader.parse("PC-HMAC-SHA256 " + text);
  }

  @FuzzTest(maxDuration = "60s")
  void queryCanonicalisationIsStableOrRefused(byte[] input) {
    String query = new String(input, StandardCharsets.UTF_8);
    String canonical;
    try {
      canonical = CanonicalRequest.query(query);
    } catch (IllegalArgumentException refused) {
      return;
    }
    assertThat(CanonicalRequest.query(canonical)).isEqualTo(canonical);
  }
}

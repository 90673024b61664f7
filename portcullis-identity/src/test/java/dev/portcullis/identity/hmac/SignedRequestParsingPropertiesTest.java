package dev.portcullis.identity.hmac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** The header and query parsers see attacker-controlled text: they must answer, never throw unexpectedly. */
class SignedRequestParsingPropertiesTest {

  @Property(tries = 500)
  void headerParserNeverThrows(@ForAll String tail) {
    assertThatCode(() -> SignedRequestHeader.parse("PC-HMAC-SHA256 " + tail)).doesNotThrowAnyException();
    assertThatCode(() -> SignedRequestHeader.parse(tail)).doesNotThrowAnyException();
  }

  @Property(tries = 500)
  void queryCanonicalisationFailsOnlyWithAClearError(@ForAll String query) {
    try {
      String canonical = CanonicalRequest.query(query);
      assertThat(CanonicalRequest.query(canonical)).isEqualTo(canonical);
    } catch (IllegalArgumentException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }
}

package dev.portcullis.identity.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.identity.FailureReason;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class ApiKeyFormatTest {

  @Test
  void generatedKeysHaveTheDocumentedShapeAndPassTheirChecksum() {
    String key = ApiKeyFormat.generate("live");
    assertThat(key).startsWith("pc_live_").hasSize(8 + 32 + 6);
    assertThat(Pattern.compile(ApiKeyFormat.SCANNER_PATTERN).matcher("token=" + key + ";").find()).isTrue();
    assertThat(ApiKeyFormat.check(key)).isEqualTo(new ApiKeyFormat.Check.Valid("live"));
  }

  @Test
  void acceptsTheExampleKeyOfTheDocs() {
    assertThat(ApiKeyFormat.check("pc_live_TuBG7mJCzrx1tGNgKCxt7uiQbrLJ9SjD3zG7Wj"))
        .isEqualTo(new ApiKeyFormat.Check.Valid("live"));
  }

  @Test
  void generatedKeysDiffer() {
    assertThat(ApiKeyFormat.generate("test")).isNotEqualTo(ApiKeyFormat.generate("test"));
  }

  @Test
  void refusesMalformedKeys() {
    String good = ApiKeyFormat.generate("live");
    for (String bad : new String[] {"", "pc_", "sk_live_" + good.substring(8), "pc_LIVE_" + good.substring(8),
        "pc_x_" + good.substring(8), "pc_live_" + good.substring(8, 20), good + "!", good.replace('_', '-'),
        "pc_live_" + "a".repeat(200), "pc_livelivelive_" + good.substring(8)}) {
      assertThat(ApiKeyFormat.check(bad)).as(bad)
          .isEqualTo(new ApiKeyFormat.Check.Invalid(FailureReason.MALFORMED_CREDENTIAL));
    }
    assertThat(ApiKeyFormat.check(null)).isInstanceOf(ApiKeyFormat.Check.Invalid.class);
  }

  @Test
  void refusesUnknownEnvironmentNamesAtGeneration() {
    assertThatThrownBy(() -> ApiKeyFormat.generate("Live")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ApiKeyFormat.generate("x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Property(tries = 300)
  void detectsEverySingleCharacterTypoInTheBody(@ForAll("positions") int position, @ForAll("base62") char c) {
    String key = ApiKeyFormat.generate("live");
    int index = 8 + position;
    if (key.charAt(index) == c) {
      return;
    }
    String typo = key.substring(0, index) + c + key.substring(index + 1);
    assertThat(ApiKeyFormat.check(typo)).isEqualTo(new ApiKeyFormat.Check.Invalid(FailureReason.BAD_CHECKSUM));
  }

  @Property(tries = 500)
  void neverThrowsOnArbitraryInput(@ForAll String anything) {
    assertThat(ApiKeyFormat.check(anything)).isNotNull();
    assertThat(ApiKeyFormat.check("pc_live_" + anything)).isNotNull();
  }

  @Provide
  Arbitrary<Integer> positions() {
    return Arbitraries.integers().between(0, 37);
  }

  @Provide
  Arbitrary<Character> base62() {
    return Arbitraries.of(Base62.ALPHABET.chars().mapToObj(i -> (char) i).toList());
  }
}

package dev.portcullis.identity.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ApiKeyHasherTest {

  @Property(tries = 200)
  void equalsTheStandardHmacForAnyPepperAndInput(@ForAll @Size(min = 32, max = 200) byte[] pepper,
      @ForAll String input) {
    ApiKeyHasher hasher = new ApiKeyHasher(pepper);
    assertThat(hasher.hash(input)).isEqualTo(hasher.hashWithMac(input));
  }

  @Test
  void matchesAKnownHmacSha256Vector() {
    // HMAC-SHA-256(key = 32 zero bytes, "abc"), computed independently (Python hmac module).
    assertThat(new ApiKeyHasher(new byte[32]).hash("abc"))
        .isEqualTo("fd7adb152c05ef80dccf50a1fa4c05d5a3ec6da95575fc312ae7c5d091836351");
  }

  @Test
  void differentPeppersGiveDifferentHashes() {
    byte[] other = new byte[32];
    other[0] = 1;
    assertThat(new ApiKeyHasher(new byte[32]).hash("pc_live_x")).isNotEqualTo(new ApiKeyHasher(other).hash("pc_live_x"));
  }

  @Test
  void refusesShortPeppers() {
    assertThatThrownBy(() -> new ApiKeyHasher(new byte[31])).isInstanceOf(IllegalArgumentException.class);
  }
}

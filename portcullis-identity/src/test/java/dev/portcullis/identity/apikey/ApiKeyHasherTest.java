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

  @Property(tries = 200)
  void theDigestIsTheHashAndRoundTripsThroughHex(@ForAll @Size(min = 32, max = 64) byte[] pepper,
      @ForAll String input) {
    ApiKeyHasher hasher = new ApiKeyHasher(pepper);
    KeyDigest digest = hasher.digest(input.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(digest.hex()).isEqualTo(hasher.hash(input));
    assertThat(KeyDigest.ofHex(hasher.hash(input))).isEqualTo(digest);
  }

  @Test
  void digestsOfBadHexAreNull() {
    assertThat(KeyDigest.ofHex("*")).isNull();
    assertThat(KeyDigest.ofHex("g".repeat(64))).isNull();
    assertThat(KeyDigest.ofHex(null)).isNull();
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

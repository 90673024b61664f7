package dev.portcullis.identity.apikey;

import java.util.random.RandomGenerator;

/** Base62 alphabet helpers for key bodies and checksums. */
final class Base62 {

  static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  private Base62() {}

  static boolean isBase62(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  }

  /** {@code value} (unsigned, below 62^width) as exactly {@code width} base62 digits, zero-padded. */
  static void appendFixed(StringBuilder out, long value, int width) {
    char[] digits = new char[width];
    for (int i = width - 1; i >= 0; i--) {
      digits[i] = ALPHABET.charAt((int) (value % 62));
      value /= 62;
    }
    out.append(digits);
  }

  /** {@code length} uniformly random base62 characters. */
  static void appendRandom(StringBuilder out, RandomGenerator random, int length) {
    for (int i = 0; i < length; i++) {
      out.append(ALPHABET.charAt(random.nextInt(62)));
    }
  }
}

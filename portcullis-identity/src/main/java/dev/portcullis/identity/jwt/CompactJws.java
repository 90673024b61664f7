package dev.portcullis.identity.jwt;

/**
 * The shape of a compact JWS before any parsing: exactly three base64url segments (RFC 7515 §7.1), header and
 * payload non-empty, each in canonical form (RFC 4648 §3.5: the URL-safe alphabet only, no padding, no length of
 * 4n+1, and zero pad bits), so that one token has exactly one spelling. Lenient decoders accept padding, stray
 * characters and non-zero pad bits, which lets one signed token travel under many spellings.
 */
final class CompactJws {

  private CompactJws() {}

  /** True when {@code token} is {@code header.payload.signature} with every segment canonical base64url. */
  static boolean isCanonical(String token) {
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (first <= 0 || second <= first + 1 || token.indexOf('.', second + 1) >= 0) {
      return false;
    }
    return segment(token, 0, first) && segment(token, first + 1, second) && segment(token, second + 1, token.length());
  }

  private static boolean segment(String s, int from, int to) {
    int length = to - from;
    if (length % 4 == 1) {
      return false;
    }
    int last = 0;
    for (int i = from; i < to; i++) {
      last = value(s.charAt(i));
      if (last < 0) {
        return false;
      }
    }
    // the final character of a short group carries pad bits that must be zero: 4 of them after 2 characters,
    // 2 after 3
    return switch (length % 4) {
      case 2 -> (last & 0x0f) == 0;
      case 3 -> (last & 0x03) == 0;
      default -> true;
    };
  }

  private static int value(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return c == '-' ? 62 : c == '_' ? 63 : -1;
  }
}

package dev.portcullis.identity.apikey;

import java.util.HexFormat;

/**
 * A credential's 256-bit peppered hash as four longs: the request path's cache key. Compared and hashed
 * without touching a 64-character string; {@link #hex()} is the form the store and invalidations use.
 */
record KeyDigest(long a, long b, long c, long d) {

  /** The digest of a 64-digit lower-case hex hash; null if {@code hex} is not one. */
  static KeyDigest ofHex(String hex) {
    if (hex == null || hex.length() != 64) {
      return null;
    }
    try {
      return new KeyDigest(HexFormat.fromHexDigitsToLong(hex, 0, 16), HexFormat.fromHexDigitsToLong(hex, 16, 32),
          HexFormat.fromHexDigitsToLong(hex, 32, 48), HexFormat.fromHexDigitsToLong(hex, 48, 64));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  String hex() {
    HexFormat f = HexFormat.of();
    return f.toHexDigits(a) + f.toHexDigits(b) + f.toHexDigits(c) + f.toHexDigits(d);
  }

  @Override
  public int hashCode() {
    // The bits are uniformly random already; no mixing needed.
    return (int) (a ^ (a >>> 32));
  }
}

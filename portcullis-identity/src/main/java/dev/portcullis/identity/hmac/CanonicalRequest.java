package dev.portcullis.identity.hmac;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The string a signed request's signature covers (see docs/identity.md):
 *
 * <pre>
 * PC-HMAC-SHA256 \n METHOD \n /raw/path \n sorted&amp;query \n hex(sha256(body)) \n unix-seconds \n nonce
 * </pre>
 *
 * The query is canonicalised: each name and value is percent-decoded and re-encoded with RFC 3986
 * unreserved characters left as they are, and pairs are sorted by name, then value.
 */
public final class CanonicalRequest {

  /** Name of the scheme, first line of the canonical string and the Authorization scheme. */
  public static final String SCHEME = "PC-HMAC-SHA256";
  /** Hex SHA-256 of an empty body. */
  public static final String EMPTY_BODY_SHA256 = bodySha256(new byte[0]);
  private static final int MAX_QUERY_PARAMS = 256;

  private CanonicalRequest() {}

  /** The canonical string; {@code rawQuery} may be {@code null} or empty. */
  public static String of(String method, String rawPath, String rawQuery, String bodySha256Hex, long timestamp,
      String nonce) {
    if (method == null || method.isEmpty() || rawPath == null || !rawPath.startsWith("/")) {
      throw new IllegalArgumentException("method must be set and path must start with '/'");
    }
    return SCHEME + '\n' + method.toUpperCase(Locale.ROOT) + '\n' + rawPath + '\n' + query(rawQuery) + '\n'
        + bodySha256Hex + '\n' + timestamp + '\n' + nonce;
  }

  /** Lower-case hex SHA-256 of {@code body}. */
  public static String bodySha256(byte[] body) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  static String query(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return "";
    }
    List<String[]> pairs = new ArrayList<>();
    for (String part : rawQuery.split("&", -1)) {
      if (part.isEmpty()) {
        continue;
      }
      if (pairs.size() == MAX_QUERY_PARAMS) {
        throw new IllegalArgumentException("more than " + MAX_QUERY_PARAMS + " query parameters");
      }
      int eq = part.indexOf('=');
      String name = eq < 0 ? part : part.substring(0, eq);
      String value = eq < 0 ? "" : part.substring(eq + 1);
      pairs.add(new String[] {encode(decode(name)), encode(decode(value))});
    }
    pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
    StringBuilder out = new StringBuilder();
    for (String[] pair : pairs) {
      if (!out.isEmpty()) {
        out.append('&');
      }
      out.append(pair[0]).append('=').append(pair[1]);
    }
    return out.toString();
  }

  /** Percent-decoding of UTF-8; '+' stays '+'. Malformed escapes are refused. */
  private static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw new IllegalArgumentException("malformed percent-encoding in query");
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException("malformed percent-encoding in query");
        }
        bytes.write(hi * 16 + lo);
        i += 2;
      } else {
        byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(utf8, 0, utf8.length);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static String encode(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
          || c == '_' || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }
}

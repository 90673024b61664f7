package dev.portcullis.identity.apikey;

import dev.portcullis.identity.FailureReason;
import java.security.SecureRandom;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * The API key format {@code pc_<env>_<body><checksum>}: {@code env} is 2–8 lower-case letters
 * ({@code live}, {@code test}), {@code body} is 32–64 random base62 characters (≥ 190 bits), and
 * {@code checksum} is the CRC32 of everything before it as 6 base62 digits. Secret scanners match
 * {@link #SCANNER_PATTERN}; the checksum lets them, and the gateway, reject typos and guesses offline.
 */
public final class ApiKeyFormat {

  /** Regular expression a secret scanner can use to find keys in text. */
  public static final String SCANNER_PATTERN = "\\bpc_[a-z]{2,8}_[0-9A-Za-z]{38,70}\\b";

  static final String PREFIX = "pc_";
  static final int BODY_LENGTH = 32;
  static final int MIN_BODY = 32;
  static final int MAX_BODY = 64;
  static final int CHECKSUM_LENGTH = 6;
  static final int MAX_LENGTH = PREFIX.length() + 8 + 1 + MAX_BODY + CHECKSUM_LENGTH;
  private static final Pattern ENVIRONMENT = Pattern.compile("[a-z]{2,8}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeyFormat() {}

  /** Outcome of checking a presented key's shape and checksum; no lookup has happened yet. */
  public sealed interface Check {
    /** Well-formed with a matching checksum. */
    record Valid(String environment) implements Check {}

    /** Refused: {@link FailureReason#MALFORMED_CREDENTIAL} or {@link FailureReason#BAD_CHECKSUM}. */
    record Invalid(FailureReason reason) implements Check {}
  }

  private static final Check MALFORMED = new Check.Invalid(FailureReason.MALFORMED_CREDENTIAL);
  private static final Check BAD_CHECKSUM = new Check.Invalid(FailureReason.BAD_CHECKSUM);
  private static final Check VALID_LIVE = new Check.Valid("live");
  private static final Check VALID_TEST = new Check.Valid("test");

  /** A new random key for {@code environment}, from a {@link SecureRandom}. */
  public static String generate(String environment) {
    if (environment == null || !ENVIRONMENT.matcher(environment).matches()) {
      throw new IllegalArgumentException("environment must be 2-8 lower-case letters, such as live or test");
    }
    StringBuilder key = new StringBuilder(MAX_LENGTH).append(PREFIX).append(environment).append('_');
    Base62.appendRandom(key, RANDOM, BODY_LENGTH);
    Base62.appendFixed(key, crc32(key, key.length()), CHECKSUM_LENGTH);
    return key.toString();
  }

  /** Checks shape and checksum in time linear in the (capped) length; never throws on any input. */
  public static Check check(String key) {
    if (key == null || key.length() > MAX_LENGTH || !key.startsWith(PREFIX)) {
      return MALFORMED;
    }
    int envEnd = key.indexOf('_', PREFIX.length());
    int envLength = envEnd - PREFIX.length();
    if (envLength < 2 || envLength > 8) {
      return MALFORMED;
    }
    for (int i = PREFIX.length(); i < envEnd; i++) {
      char c = key.charAt(i);
      if (c < 'a' || c > 'z') {
        return MALFORMED;
      }
    }
    int bodyLength = key.length() - envEnd - 1 - CHECKSUM_LENGTH;
    if (bodyLength < MIN_BODY || bodyLength > MAX_BODY) {
      return MALFORMED;
    }
    for (int i = envEnd + 1; i < key.length(); i++) {
      if (!Base62.isBase62(key.charAt(i))) {
        return MALFORMED;
      }
    }
    int checksumStart = key.length() - CHECKSUM_LENGTH;
    long crc = crc32(key, checksumStart);
    int diff = 0;
    for (int i = key.length() - 1; i >= checksumStart; i--) {
      diff |= key.charAt(i) ^ Base62.ALPHABET.charAt((int) (crc % 62));
      crc /= 62;
    }
    if (diff != 0) {
      return BAD_CHECKSUM;
    }
    if (envLength == 4 && key.startsWith("live", PREFIX.length())) {
      return VALID_LIVE;
    }
    if (envLength == 4 && key.startsWith("test", PREFIX.length())) {
      return VALID_TEST;
    }
    return new Check.Valid(key.substring(PREFIX.length(), envEnd));
  }

  /** The last four characters, safe to show in listings to tell keys apart. */
  public static String hint(String key) {
    return key.substring(Math.max(0, key.length() - 4));
  }

  private static long crc32(CharSequence text, int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) text.charAt(i);
    }
    CRC32 crc = new CRC32();
    crc.update(bytes);
    return crc.getValue();
  }
}

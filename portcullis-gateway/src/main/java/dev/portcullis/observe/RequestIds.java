package dev.portcullis.observe;

import java.util.concurrent.ThreadLocalRandom;

/** Request ids: a client's {@code x-request-id} is kept when it is short and plain; otherwise a new one is made. */
public final class RequestIds {

  private static final int MAX_LENGTH = 128;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RequestIds() {}

  /** The client's id if acceptable (1..128 of {@code [A-Za-z0-9._:-]}), else a fresh one. */
  public static String acceptOrCreate(String fromClient) {
    return fromClient != null && acceptable(fromClient) ? fromClient : create();
  }

  static boolean acceptable(String id) {
    int n = id.length();
    if (n == 0 || n > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = id.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
          || c == '_' || c == '.' || c == ':';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** 32 hex characters; unique enough for correlation, not a secret. */
  public static String create() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] out = new char[32];
    long a = r.nextLong();
    long b = r.nextLong();
    for (int i = 0; i < 16; i++) {
      out[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xf];
      out[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xf];
    }
    return new String(out);
  }
}

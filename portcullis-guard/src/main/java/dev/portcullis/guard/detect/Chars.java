package dev.portcullis.guard.detect;

/** Character classes and small text helpers shared by the validators. */
final class Chars {
  private Chars() {}

  static final int DIGIT = 1;

  static final int UPPER = 2;

  static final int UPPER_HEX = 3;

  static final int LOWER_HEX = 4;

  static final int AT = 5;

  static final int COLON = 6;

  static final byte[] CLASS = new byte[128];

  /**
   * CLASS in the low 4 bits, {@link #WORD_BIT} set for word characters, {@link #NOT_PLAIN_BIT} for characters the
   * normalised view reads otherwise ({@code %} and controls other than tab, CR, LF): one lookup per character.
   */
  static final byte[] INFO = new byte[128];

  static final int WORD_BIT = 16;

  static final int NOT_PLAIN_BIT = 32;

  static final boolean[] WORD = new boolean[128];

  static final boolean[] LOCAL = new boolean[128];

  static final int MAX_LOCAL = 64;

  static {
    for (char c = '0'; c <= '9'; c++) {
      CLASS[c] = DIGIT;
    }
    for (char c = 'A'; c <= 'Z'; c++) {
      CLASS[c] = (byte) (c <= 'F' ? UPPER_HEX : UPPER);
    }
    for (char c = 'a'; c <= 'f'; c++) {
      CLASS[c] = LOWER_HEX;
    }
    CLASS['@'] = AT;
    CLASS[':'] = COLON;
    for (char c = 0; c < 128; c++) {
      WORD[c] = Character.isLetterOrDigit(c) || c == '_';
      LOCAL[c] = WORD[c] || "!#$%&'*+/=?^`{|}~-.".indexOf(c) >= 0;
      boolean notPlain = c == '%' || c == 0x7F || c < 0x20 && c != '\t' && c != '\n' && c != '\r';
      INFO[c] = (byte) (CLASS[c] | (WORD[c] ? WORD_BIT : 0) | (notPlain ? NOT_PLAIN_BIT : 0));
    }
  }

  static boolean isWordChar(char c) {
    return c < 128 ? WORD[c] : Character.isLetterOrDigit(c);
  }

  static boolean isLocalChar(char c) {
    return c < 128 ? LOCAL[c] : Character.isLetterOrDigit(c) && !isFullWidth(c);
  }

  /** Full-width forms (U+FF00–U+FFEF): never part of a real address. */
  static boolean isFullWidth(int c) {
    return c >= 0xFF00 && c <= 0xFFEF;
  }

  static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }

  static boolean isUpper(int c) {
    return c >= 'A' && c <= 'Z';
  }

  static boolean isAlnum(int c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  }

  static boolean isHex(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** Characters of API tokens: letters, digits, '_' and '-'. */
  static boolean isTokenChar(int c) {
    return isAlnum(c) || c == '_' || c == '-';
  }

  static boolean boundaryBefore(Scanner.Ctx ctx, int start) {
    return start == 0 || !isAlnum(ctx.text.charAt(start - 1));
  }

  /** End of the run of token characters from {@code from}, reading at most {@code max}. */
  static int tokenEnd(Scanner.Ctx ctx, int from, int max, boolean allowDot) {
    int j = from;
    int limit = from + max;
    while (j < limit) {
      int c = ctx.peek(j);
      if (isTokenChar(c) || (allowDot && c == '.')) {
        j++;
      } else {
        break;
      }
    }
    return j;
  }

  static boolean regionEquals(CharSequence t, int start, String s) {
    if (start + s.length() > t.length()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (t.charAt(start + i) != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  static boolean lowerPrefix(CharSequence t, int start, int end) {
    for (int i = start; i < end; i++) {
      char c = t.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        return false;
      }
    }
    return true;
  }

  static boolean oneSymbol(CharSequence t, int from, int to) {
    for (int i = from + 1; i < to; i++) {
      if (t.charAt(i) != t.charAt(from)) {
        return false;
      }
    }
    return true;
  }

  static boolean hasDigit(CharSequence t, int from, int to) {
    for (int i = from; i < to; i++) {
      if (isDigit(t.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  static boolean regionEqualsPeek(Scanner.Ctx ctx, int at, String s) {
    for (int i = 0; i < s.length(); i++) {
      if (ctx.peek(at + i) != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  static boolean isHexUpperOrDigit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
  }

  static boolean allAlnum(CharSequence t, int from, int to) {
    for (int k = from; k < to; k++) {
      if (!isAlnum(t.charAt(k))) {
        return false;
      }
    }
    return true;
  }

  static boolean allLowerAlnum(CharSequence t, int from, int to) {
    for (int k = from; k < to; k++) {
      char c = t.charAt(k);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Cheap filter before {@link #hex}: a run of at most 4 hex digits followed by ':', '-', '.' or (after exactly two)
   * a space. Reaching the end of the text counts as possible.
   */
  static boolean mayStartHexAddress(Scanner.Ctx ctx, int i) {
    CharSequence t = ctx.text;
    int n = ctx.n;
    int j = i;
    while (j < n && j - i < 5) {
      char c = t.charAt(j);
      if (c < 128 && HEX[c]) {
        j++;
        continue;
      }
      return c == ':' || c == '-' || c == '.' || (c == ' ' && j - i == 2);
    }
    return j >= n || j - i == 5;
  }

  static final boolean[] HEX = new boolean[128];

  static {
    for (char c = 0; c < 128; c++) {
      HEX[c] = Character.digit(c, 16) >= 0;
    }
  }

  static char safeChar(Scanner.Ctx ctx, int i) {
    int c = ctx.peek(i);
    return c < 0 ? ' ' : (char) c;
  }

  interface CharTest {
    boolean test(int c);
  }

  static int scanWhile(Scanner.Ctx ctx, int from, int max, CharTest test) {
    int j = from;
    while (j < from + max && test.test(ctx.peek(j))) {
      j++;
    }
    return j;
  }

  static boolean hasContext(CharSequence t, int start, String... words) {
    int from = Math.max(0, start - 48);
    String window = t.subSequence(from, start).toString().toLowerCase(java.util.Locale.ROOT);
    for (String w : words) {
      int k = window.indexOf(w);
      while (k >= 0) {
        boolean leftOk = k == 0 || !Character.isLetter(window.charAt(k - 1));
        int e = k + w.length();
        boolean rightOk = e >= window.length() || !Character.isLetter(window.charAt(e)) || window.charAt(e) == 's';
        if (leftOk && rightOk) {
          return true;
        }
        k = window.indexOf(w, k + 1);
      }
    }
    return false;
  }

  static double contextBoost(CharSequence t, int start, double base, String... words) {
    return hasContext(t, start, words) ? Math.min(1.0, base + 0.1) : base;
  }
}

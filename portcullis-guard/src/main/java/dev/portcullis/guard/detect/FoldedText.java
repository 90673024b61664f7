package dev.portcullis.guard.detect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The normalised view the detectors read when a text is not plain ASCII, with the way back to the original: each
 * view character knows the span of original characters it came from, so a finding on the view removes the whole
 * original value (invisible characters inside it included).
 *
 * <p>Per original character: {@code %XX} that decodes to printable ASCII reads as that character (once: no double
 * decoding); ASCII controls other than tab, line feed and carriage return, and the code points {@link Folding}
 * removes (default-ignorable, format, combining marks), read as nothing — but a removed character preceded by
 * {@link #MAX_INVISIBLE_RUN} removed characters reads as a space, so that a view character never stands for more
 * than {@value #MAX_INVISIBLE_RUN} + 3 original characters; any other code point reads as {@link Folding} maps it.
 * Each character's reading depends only on the {@value #MAX_INVISIBLE_RUN} characters before it and the two after
 * it, so the view of a text's prefix is a prefix of the view of the text (what makes stream redaction exact).
 */
final class FoldedText {
  /** Most consecutive invisible characters read as nothing; more read as a space (bounds hold-back and context). */
  static final int MAX_INVISIBLE_RUN = 32;

  final String view;
  private final int[] start;
  private final int[] end;
  /** Where the original text's settled part ends: before a trailing {@code %}, {@code %X} or lone high surrogate. */
  private final int tail;

  private FoldedText(String view, int[] start, int[] end, int tail) {
    this.view = view;
    this.start = start;
    this.end = end;
    this.tail = tail;
  }

  /**
   * Whether {@code text} in {@code [from, to)} reads as itself: printable ASCII, tab, line feed and carriage return,
   * without {@code %}.
   */
  static boolean plain(CharSequence text, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c >= 0x7F || c == '%' || c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
        return false;
      }
    }
    return true;
  }

  /** The view of {@code text}; when more text may follow ({@code !complete}), a possible escape at the end waits. */
  static FoldedText of(CharSequence text, boolean complete) {
    int n = text.length();
    StringBuilder view = new StringBuilder(n);
    int[] start = new int[n + 8];
    int[] end = new int[n + 8];
    int run = 0;
    int tail = n;
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      int len = 1;
      int read;
      String many = null;
      if (c == '%' && (i + 2 < n || !complete && i + 2 >= n)) {
        int hi = i + 1 < n ? hex(text.charAt(i + 1)) : 0;
        int lo = i + 2 < n ? hex(text.charAt(i + 2)) : 0;
        if (i + 2 >= n && hi >= 0 && lo >= 0) {
          tail = i;
          break;
        }
        int v = hi * 16 + lo;
        if (hi >= 0 && lo >= 0 && v >= 0x20 && v < 0x7F) {
          read = v;
          len = 3;
        } else {
          read = c;
        }
      } else if (c < 0x80) {
        read = Folding.removed(c) ? Folding.REMOVED : c;
      } else if (Character.isHighSurrogate(c) && i + 1 >= n && !complete) {
        tail = i;
        break;
      } else {
        int cp = Character.codePointAt(text, i);
        len = Character.charCount(cp);
        read = cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE ? Folding.REMOVED : Folding.of(cp);
        if (read == Folding.SAME) {
          read = cp;
        } else if (read == Folding.MANY_CODE_POINTS) {
          many = Folding.many(cp);
        }
      }
      if (read == Folding.REMOVED) {
        if (++run <= MAX_INVISIBLE_RUN) {
          i += len;
          continue;
        }
        read = ' ';
      } else {
        run = 0;
      }
      int from = view.length();
      if (many != null) {
        view.append(many);
      } else {
        view.appendCodePoint(read);
      }
      if (view.length() > start.length) {
        start = Arrays.copyOf(start, view.length() * 2);
        end = Arrays.copyOf(end, view.length() * 2);
      }
      for (int k = from; k < view.length(); k++) {
        start[k] = i;
        end[k] = i + len;
      }
      i += len;
    }
    return new FoldedText(view.toString(), start, end, tail);
  }

  /** The view index where a scan from original position {@code from} starts. */
  int index(int from) {
    int lo = 0;
    int hi = view.length();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (start[mid] < from) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Original position of view position {@code v} (the view's end maps to the settled end). */
  private int position(int v) {
    return v < view.length() ? start[v] : tail;
  }

  /** {@code p}, a scan of the view, in original positions; findings that fall on one original character merge. */
  Scanner.Partial toOriginal(Scanner.Partial p, boolean complete, int length) {
    List<Finding> findings = new ArrayList<>(p.findings().size());
    List<Integer> origins = new ArrayList<>(p.findings().size());
    for (int k = 0; k < p.findings().size(); k++) {
      Finding f = p.findings().get(k);
      int s = start[f.start()];
      int e = end[f.end() - 1];
      if (!findings.isEmpty() && s < findings.getLast().end()) {
        Finding last = findings.getLast();
        findings.set(findings.size() - 1, new Finding(last.type(), last.start(), Math.max(e, last.end()),
            last.confidence()));
        continue;
      }
      findings.add(new Finding(f.type(), s, e, f.confidence()));
      origins.add(Math.min(s, position(p.origins().get(k))));
    }
    List<Integer> runs = new ArrayList<>(p.runs().size());
    for (int k = 0; k + 1 < p.runs().size(); k += 2) {
      int s = p.runs().get(k);
      int e = p.runs().get(k + 1);
      runs.add(position(s));
      runs.add(e > s ? end[e - 1] : position(e));
    }
    int stable = complete ? length : position(p.stableEnd());
    return new Scanner.Partial(findings, origins, stable, runs);
  }

  /**
   * Where a stream may cut the text before {@code pos} and still scan from {@code pos} as if the whole text were
   * there: at least {@code lookbehind} view characters before {@code pos}, counted conservatively (three original
   * characters per view character, as for an escape), plus a margin for the readings the cut itself changes.
   */
  static int contextStart(CharSequence text, int pos, int lookbehind) {
    int units = 3 * (lookbehind + MAX_INVISIBLE_RUN + 2);
    int k = pos;
    int run = 0;
    while (k > 0 && units > 0) {
      int cp = Character.codePointBefore(text, k);
      boolean lone = cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE;
      if (lone || Folding.removed(cp)) {
        if (++run > MAX_INVISIBLE_RUN) {
          units -= 3;
        }
      } else {
        run = 0;
        units--;
      }
      k -= Character.charCount(cp);
    }
    return k;
  }

  /** The value of an ASCII hex digit, else -1. */
  private static int hex(char c) {
    return c < 0x80 && Chars.HEX[c] ? Character.digit(c, 16) : -1;
  }
}

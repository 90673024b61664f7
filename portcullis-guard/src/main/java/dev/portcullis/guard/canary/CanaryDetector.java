package dev.portcullis.guard.canary;

import dev.portcullis.guard.text.LiteralAutomaton;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Finds one canary in output text, in every form it knows, with one automaton pass over each of two views.
 *
 * <ul>
 *   <li>On the {@link CanaryView} of the text (NFKC-like folding, confusables, zero-width and format characters,
 *       accents and case removed, and every separator dropped): any {@value #WINDOW} consecutive characters of the
 *       canary, of the canary reversed, in ROT13, or reversed in ROT13 (each as written, in lower case and in
 *       capitals), and any {@value #HEX_WINDOW} of its hex form. So a canary spelled with spaces, dashes, one
 *       character per line, zero-width characters between its letters, in fullwidth letters or look-alike letters,
 *       or cut in halves, is found; its span in the text runs from its first to its last character. A match spans
 *       at most {@value #SPREAD} text characters per canary character (no more than 31 separators between two of
 *       its characters).
 *   <li>On the text as it is: base64 (at each of the three byte alignments, so a canary inside a longer encoded text
 *       is found), case-sensitive.
 * </ul>
 *
 * <p>Overlapping appearances are merged into one. Immutable.
 */
public final class CanaryDetector {
  /** Canary characters that, in a row, make a leak: half a generated canary (about 50 bits). */
  static final int WINDOW = 10;
  /** Hex characters that, in a row, make a leak (the same canary characters as {@link #WINDOW}). */
  static final int HEX_WINDOW = 2 * WINDOW;
  /** Text characters a match may span per canary character (the character and up to 31 separators). */
  static final int SPREAD = 32;

  /** How the canary appeared. */
  public enum Form {
    RAW,
    REVERSED,
    ROT13,
    HEX,
    BASE64
  }

  /** One appearance: {@code [start, end)} in the text. */
  public record Leak(Form form, int start, int end) implements Comparable<Leak> {
    @Override
    public int compareTo(Leak o) {
      return start != o.start ? Integer.compare(start, o.start) : Integer.compare(o.end, end);
    }
  }

  private final LiteralAutomaton folded;
  private final List<Form> foldedForms;
  private final LiteralAutomaton raw;
  private final List<String> rawPatterns;
  private final int holdBack;
  /** Size of the ring of view-character origins: a power of two, at least the longest folded pattern. */
  private final int ring;

  public CanaryDetector(Canary canary) {
    Objects.requireNonNull(canary, "canary");
    String t = canary.token();
    List<String> p = new ArrayList<>();
    List<Form> f = new ArrayList<>();
    String hex = HexFormat.of().formatHex(t.getBytes(StandardCharsets.US_ASCII));
    // as written, all lower case and all capitals: a letter's skeleton may differ from its capital's
    for (String c : List.of(t, t.toLowerCase(Locale.ROOT), t.toUpperCase(Locale.ROOT))) {
      String r = new StringBuilder(c).reverse().toString();
      windows(CanaryView.of(c), WINDOW, Form.RAW, p, f);
      windows(CanaryView.of(r), WINDOW, Form.REVERSED, p, f);
      windows(CanaryView.of(rot13(c)), WINDOW, Form.ROT13, p, f);
      windows(CanaryView.of(rot13(r)), WINDOW, Form.ROT13, p, f);
    }
    windows(CanaryView.of(hex), HEX_WINDOW, Form.HEX, p, f);
    windows(CanaryView.of(hex.toUpperCase(Locale.ROOT)), HEX_WINDOW, Form.HEX, p, f);
    this.folded = LiteralAutomaton.compile(p, LiteralAutomaton.lowerCaseFold());
    this.foldedForms = List.copyOf(f);
    int longest = p.stream().mapToInt(String::length).max().orElse(0);
    this.ring = Integer.highestOneBit(Math.max(1, longest)) << 1;
    List<String> b = new ArrayList<>();
    byte[] bytes = t.getBytes(StandardCharsets.US_ASCII);
    for (int k = 0; k < 3; k++) {
      byte[] padded = new byte[k + bytes.length];
      System.arraycopy(bytes, 0, padded, k, bytes.length);
      String enc = Base64.getEncoder().withoutPadding().encodeToString(padded);
      int firstGroup = (k + 2) / 3;
      int lastGroupExclusive = (k + bytes.length) / 3;
      b.add(enc.substring(firstGroup * 4, lastGroupExclusive * 4));
    }
    this.rawPatterns = List.copyOf(b);
    this.raw = LiteralAutomaton.compile(rawPatterns, LiteralAutomaton.lowerCaseFold());
    this.holdBack = Math.max(SPREAD * longest, b.stream().mapToInt(String::length).max().orElse(0));
  }

  /** The windows of {@code view} of length {@code n} (the whole view when shorter), as patterns of {@code form}. */
  private static void windows(String view, int n, Form form, List<String> patterns, List<Form> forms) {
    String v = view.replace(String.valueOf(CanaryView.BREAK), "");
    int len = Math.min(n, v.length());
    for (int i = 0; i + len <= v.length(); i++) {
      String w = v.substring(i, i + len);
      if (!patterns.contains(w)) {
        patterns.add(w);
        forms.add(form);
      }
    }
  }

  static String rot13(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 'a' && c <= 'z') {
        c = (char) ('a' + (c - 'a' + 13) % 26);
      } else if (c >= 'A' && c <= 'Z') {
        c = (char) ('A' + (c - 'A' + 13) % 26);
      }
      sb.append(c);
    }
    return sb.toString();
  }

  /** Builds the tables behind the view (about a second): call once at start-up, off the event loop. */
  public static void prepare() {
    CanaryView.load();
  }

  /** Most characters a stream filter holds back while the tail of a stream could still start an appearance. */
  public int holdBack() {
    return holdBack;
  }

  /** Non-overlapping appearances in {@code text}, leftmost first (overlapping ones merged). */
  public List<Leak> find(CharSequence text) {
    return scan(text).leaks();
  }

  /**
   * The appearances in a text, and the first index at which an appearance not yet complete could start: text before
   * {@code stableEnd} is final whatever follows (a trailing high surrogate without its pair never is).
   */
  record Scan(List<Leak> leaks, int stableEnd) {}

  /** One pass over the view (origins of its last characters in a ring) and one over the text as it is. */
  Scan scan(CharSequence text) {
    List<Leak> found = new ArrayList<>(0);
    int[] origins = new int[ring];
    int n = text.length();
    int j = 0;
    int s = 0;
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      int cp = c;
      int width = 1;
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= n) {
          break;
        }
        cp = Character.codePointAt(text, i);
        width = Character.charCount(cp);
      }
      char v = CanaryView.single(cp);
      if (v != CanaryView.NO_CHAR) {
        String several = v == CanaryView.SEVERAL ? CanaryView.of(cp) : null;
        int count = several == null ? 1 : several.length();
        for (int k = 0; k < count; k++) {
          origins[j & (ring - 1)] = i;
          j++;
          s = folded.step(s, several == null ? v : several.charAt(k));
          int[] out = folded.outputs(s);
          if (out != null) {
            for (int id : out) {
              int len = folded.length(id);
              int start = origins[(j - len) & (ring - 1)];
              if (i + width - start <= SPREAD * len) {
                found.add(new Leak(foldedForms.get(id), start, i + width));
              }
            }
          }
        }
      }
      i += width;
    }
    int depth = folded.depth(s);
    int stable = depth == 0 ? i : origins[(j - depth) & (ring - 1)];
    stable = Math.min(i, Math.max(stable, n + 1 - holdBack));
    int r = 0;
    for (int k = 0; k < n; k++) {
      r = raw.step(r, text.charAt(k));
      int[] out = raw.outputs(r);
      if (out != null) {
        for (int id : out) {
          String p = rawPatterns.get(id);
          int start = k + 1 - p.length();
          if (exact(text, start, p)) {
            found.add(new Leak(Form.BASE64, start, k + 1));
          }
        }
      }
    }
    return new Scan(merged(found), Math.min(stable, n - raw.depth(r)));
  }

  private static List<Leak> merged(List<Leak> found) {
    if (found.size() <= 1) {
      return found;
    }
    found.sort(null);
    List<Leak> kept = new ArrayList<>();
    Leak cur = found.getFirst();
    for (int k = 1; k < found.size(); k++) {
      Leak l = found.get(k);
      if (l.start() < cur.end()) {
        cur = new Leak(cur.form(), cur.start(), Math.max(cur.end(), l.end()));
      } else {
        kept.add(cur);
        cur = l;
      }
    }
    kept.add(cur);
    return kept;
  }

  private static boolean exact(CharSequence text, int start, String p) {
    for (int k = 0; k < p.length(); k++) {
      if (text.charAt(start + k) != p.charAt(k)) {
        return false;
      }
    }
    return true;
  }
}

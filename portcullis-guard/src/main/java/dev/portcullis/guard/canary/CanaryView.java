package dev.portcullis.guard.canary;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UProperty;
import com.ibm.icu.text.Normalizer2;
import com.ibm.icu.text.SpoofChecker;

/**
 * The view of text that canaries and system-prompt words are matched on, one code point at a time (so a stream and
 * its whole text have the same view): compatibility decomposition (NFKD: fullwidth and mathematical letters, ligatures,
 * circled digits), confusables folded to their Unicode TS #39 skeleton (Cyrillic and Greek look-alikes of Latin
 * letters), default-ignorable and format characters and combining marks removed (zero-width characters, soft
 * hyphens, variation selectors, accents), and case folded. A code point's view is ASCII letters and digits, or
 * {@link #BREAK} for a letter or digit outside them, or nothing: separators (spaces, line breaks, punctuation,
 * symbols) and ignorable characters have no view. The skeleton comes before case folding (capital look-alikes
 * such as Cyrillic 'Т' are folded), so a letter and its capital can differ ('m' reads "rn", 'M' reads "m"): callers
 * match the lower- and upper-case forms of what they look for. The table of the basic and supplementary multilingual
 * planes is built once (about 130,000 look-ups, at class initialisation); other planes are mapped on the fly.
 * Thread-safe.
 */
final class CanaryView {
  /** Stands for a letter or digit that no canary contains: no match continues across it. */
  static final char BREAK = '\u0080';
  private static final String NONE = "";
  private static final int TABLE = 0x20000;
  private static final Normalizer2 NFKD = Normalizer2.getNFKDInstance();
  private static final SpoofChecker SKELETON = new SpoofChecker.Builder().build();
  /** The view of every code point below {@link #TABLE}. */
  private static final String[] VIEW = new String[TABLE];
  /** Code points below {@link #TABLE} that vanish without ending a word (ignorable, format, combining marks). */
  private static final boolean[] IGNORABLE = new boolean[TABLE];
  /** {@link #single} of every code point below {@link #TABLE}. */
  private static final char[] SINGLE = new char[TABLE];
  /** {@link #single}'s answer when the view is empty. */
  static final char NO_CHAR = 0;
  /** {@link #single}'s answer when the view has several characters ({@link #of(int)} gives them). */
  static final char SEVERAL = '\uFFFF';

  static {
    String[] single = new String[128];
    for (char c = 0; c < 128; c++) {
      single[c] = String.valueOf(c);
    }
    StringBuilder sb = new StringBuilder(4);
    for (int cp = 0; cp < TABLE; cp++) {
      IGNORABLE[cp] = computeIgnorable(cp);
      String v = IGNORABLE[cp] ? NONE : compute(cp, sb);
      VIEW[cp] = v.length() == 1 && v.charAt(0) < 128 ? single[v.charAt(0)] : v.isEmpty() ? NONE : v;
      SINGLE[cp] = v.isEmpty() ? NO_CHAR : v.length() == 1 ? v.charAt(0) : SEVERAL;
    }
  }

  private CanaryView() {}

  /** Forces the table to be built (it takes a moment): call at start-up, off the event loop. */
  static void load() {
    // class initialisation does the work
  }

  /** The view of one code point: ASCII lower-case letters and digits, {@link #BREAK}, or empty. */
  static String of(int cp) {
    return cp < TABLE ? VIEW[cp] : computeIgnorable(cp) ? NONE : compute(cp, new StringBuilder(4));
  }

  /** The view of one code point when it is one character; {@link #NO_CHAR} or {@link #SEVERAL} otherwise. */
  static char single(int cp) {
    if (cp < TABLE) {
      return SINGLE[cp];
    }
    String v = of(cp);
    return v.isEmpty() ? NO_CHAR : v.length() == 1 ? v.charAt(0) : SEVERAL;
  }

  /** True when the code point vanishes without separating words (zero-width, format, combining mark). */
  static boolean ignorable(int cp) {
    return cp < TABLE ? IGNORABLE[cp] : computeIgnorable(cp);
  }

  private static boolean computeIgnorable(int cp) {
    int type = Character.getType(cp);
    return type == Character.FORMAT || type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
        || UCharacter.hasBinaryProperty(cp, UProperty.DEFAULT_IGNORABLE_CODE_POINT);
  }

  /** The view of a whole text (for patterns). */
  static String of(CharSequence text) {
    StringBuilder sb = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); ) {
      int cp = Character.codePointAt(text, i);
      sb.append(of(cp));
      i += Character.charCount(cp);
    }
    return sb.toString();
  }

  private static String compute(int cp, StringBuilder sb) {
    if (!Character.isLetterOrDigit(cp) && Character.getType(cp) != Character.OTHER_NUMBER
        && Character.getType(cp) != Character.LETTER_NUMBER) {
      return NONE;
    }
    String decomposed = NFKD.normalize(new String(Character.toChars(cp)));
    String skeleton = NFKD.normalize(SKELETON.getSkeleton(decomposed));
    sb.setLength(0);
    for (int i = 0; i < skeleton.length(); ) {
      int c = skeleton.codePointAt(i);
      i += Character.charCount(c);
      if (computeIgnorable(c)) {
        continue;
      }
      int f = UCharacter.foldCase(c, true);
      if (f < 128 && Character.isLetterOrDigit(f)) {
        sb.append((char) f);
      } else if (Character.isLetterOrDigit(f)) {
        sb.append(BREAK);
      }
    }
    return sb.toString();
  }
}

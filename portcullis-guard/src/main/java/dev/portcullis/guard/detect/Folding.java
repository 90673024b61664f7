package dev.portcullis.guard.detect;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the detectors read instead of a non-ASCII code point: nothing (default-ignorable, format and control
 * characters, combining marks), its ASCII digit, its NFKC form without marks, and ASCII for confusables (UTS #39
 * skeletons, case kept). The table is generated from ICU4J by {@code FoldingTable} in the test sources, which also
 * checks that it is current. Immutable, loaded once.
 */
final class Folding {
  private Folding() {}

  private static final int[] FROM;
  private static final int[] TO;
  /** For a range: the value of its first code point (each next one adds one); -1 when the range is removed. */
  private static final int[] FIRST;
  /** For a single code point that maps to several: the value; else null. */
  private static final String[] MANY;

  static {
    List<String> lines = new ArrayList<>();
    InputStream in = Folding.class.getResourceAsStream("folding.txt");
    if (in == null) {
      throw new IllegalStateException("folding.txt missing from the classpath");
    }
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.startsWith("#") && !line.isEmpty()) {
          lines.add(line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int n = lines.size();
    FROM = new int[n];
    TO = new int[n];
    FIRST = new int[n];
    MANY = new String[n];
    for (int k = 0; k < n; k++) {
      String line = lines.get(k);
      int tab = line.indexOf('\t');
      String key = line.substring(0, tab);
      int dash = key.indexOf('-');
      FROM[k] = Integer.parseInt(dash < 0 ? key : key.substring(0, dash), 16);
      TO[k] = dash < 0 ? FROM[k] : Integer.parseInt(key.substring(dash + 1), 16);
      String value = line.substring(tab + 1);
      if (value.isEmpty()) {
        FIRST[k] = -1;
      } else if (value.indexOf(' ') < 0) {
        FIRST[k] = Integer.parseInt(value, 16);
      } else {
        StringBuilder sb = new StringBuilder();
        for (String h : value.split(" ")) {
          sb.appendCodePoint(Integer.parseInt(h, 16));
        }
        MANY[k] = sb.toString();
        FIRST[k] = -2;
      }
    }
  }

  /** Loads the table now (a few milliseconds, blocking) instead of on the first text that is not plain ASCII. */
  static void load() {
    // class initialisation does the work
  }

  /** Marker of {@link #of}: the code point stays as it is. */
  static final int SAME = -3;
  /** Marker of {@link #of}: the code point is removed. */
  static final int REMOVED = -1;
  /** Marker of {@link #of}: the code point maps to several; see {@link #many}. */
  static final int MANY_CODE_POINTS = -2;

  /** The one code point {@code cp} (at least U+0080) reads as, or {@link #SAME}, {@link #REMOVED}, {@link #MANY_CODE_POINTS}. */
  static int of(int cp) {
    int k = index(cp);
    if (k < 0) {
      return SAME;
    }
    return FIRST[k] >= 0 ? FIRST[k] + (cp - FROM[k]) : FIRST[k];
  }

  /** What {@code cp} reads as when {@link #of} answers {@link #MANY_CODE_POINTS}. */
  static String many(int cp) {
    return MANY[index(cp)];
  }

  /** Whether {@code cp} is dropped from the detectors' view. */
  static boolean removed(int cp) {
    return cp < 0x80 ? cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r' || cp == 0x7F : of(cp) == REMOVED;
  }

  private static int index(int cp) {
    int k = Arrays.binarySearch(FROM, cp);
    if (k >= 0) {
      return k;
    }
    k = -k - 2;
    return k >= 0 && cp <= TO[k] ? k : -1;
  }
}

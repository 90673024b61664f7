package dev.portcullis.guard.canary;

import dev.portcullis.guard.text.LiteralAutomaton;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Finds one canary in output text in every form: raw, reversed, hex (either case) and base64 (at each of the three
 * byte alignments, so a canary inside a longer encoded text is still found). One automaton pass. Immutable.
 */
public final class CanaryDetector {
  /** How the canary appeared. */
  public enum Form {
    RAW,
    REVERSED,
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

  private final LiteralAutomaton automaton;
  private final List<String> patterns;
  private final List<Form> forms;
  private final int longest;

  public CanaryDetector(Canary canary) {
    Objects.requireNonNull(canary, "canary");
    String t = canary.token();
    List<String> p = new ArrayList<>();
    List<Form> f = new ArrayList<>();
    p.add(t);
    f.add(Form.RAW);
    p.add(new StringBuilder(t).reverse().toString());
    f.add(Form.REVERSED);
    p.add(HexFormat.of().formatHex(t.getBytes(StandardCharsets.US_ASCII)));
    f.add(Form.HEX);
    byte[] bytes = t.getBytes(StandardCharsets.US_ASCII);
    for (int k = 0; k < 3; k++) {
      byte[] padded = new byte[k + bytes.length];
      System.arraycopy(bytes, 0, padded, k, bytes.length);
      String enc = Base64.getEncoder().withoutPadding().encodeToString(padded);
      int firstGroup = (k + 2) / 3;
      int lastGroupExclusive = (k + bytes.length) / 3;
      p.add(enc.substring(firstGroup * 4, lastGroupExclusive * 4));
      f.add(Form.BASE64);
    }
    this.patterns = List.copyOf(p);
    this.forms = List.copyOf(f);
    this.automaton = LiteralAutomaton.compile(patterns, LiteralAutomaton.lowerCaseFold());
    this.longest = patterns.stream().mapToInt(String::length).max().orElse(0);
  }

  /** Longest form, in characters: the hold-back bound of a canary stream filter. */
  public int longestForm() {
    return longest;
  }

  LiteralAutomaton automaton() {
    return automaton;
  }

  /** Non-overlapping appearances in {@code text}, leftmost first. */
  public List<Leak> find(CharSequence text) {
    List<Leak> raw = new ArrayList<>();
    int s = 0;
    for (int i = 0; i < text.length(); i++) {
      s = automaton.step(s, text.charAt(i));
      int[] out = automaton.outputs(s);
      if (out != null) {
        for (int id : out) {
          int start = i + 1 - patterns.get(id).length();
          if (forms.get(id) != Form.BASE64 || exact(text, start, patterns.get(id))) {
            raw.add(new Leak(forms.get(id), start, i + 1));
          }
        }
      }
    }
    if (raw.size() <= 1) {
      return raw;
    }
    Collections.sort(raw);
    List<Leak> kept = new ArrayList<>();
    int lastEnd = 0;
    for (Leak l : raw) {
      if (l.start() >= lastEnd) {
        kept.add(l);
        lastEnd = l.end();
      }
    }
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

package dev.portcullis.guard.canary;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Verbatim system-prompt disclosure: the share of the system prompt's word n-grams that appear in the output. Words
 * are read on the canary's {@link CanaryView} (case, accents, fullwidth and look-alike letters folded; zero-width and
 * format characters inside a word ignored), and punctuation and spaces separate them. At most {@value #MAX_SHINGLES}
 * n-grams of the system prompt are kept. Immutable; {@link #monitor()} gives a per-stream accumulator.
 */
public final class SystemPromptLeakDetector {
  public static final int MAX_SHINGLES = 20_000;

  private final int n;
  private final double threshold;
  private final Set<Long> shingles;

  /** {@code n}-word shingles; a leak when at least {@code threshold} of them (0..1] appear in the output. */
  public SystemPromptLeakDetector(String systemPrompt, int n, double threshold) {
    Objects.requireNonNull(systemPrompt, "systemPrompt");
    if (n < 3 || n > 32) {
      throw new IllegalArgumentException("n must be in 3..32, was " + n);
    }
    if (!(threshold > 0 && threshold <= 1)) {
      throw new IllegalArgumentException("threshold must be in (0, 1], was " + threshold);
    }
    this.n = n;
    this.threshold = threshold;
    Set<Long> s = new HashSet<>();
    Shingler sh = new Shingler(n, h -> {
      if (s.size() < MAX_SHINGLES) {
        s.add(h);
      }
    });
    sh.push(systemPrompt);
    sh.finish();
    this.shingles = Set.copyOf(s);
  }

  public int shingleCount() {
    return shingles.size();
  }

  /** Share of the system prompt's n-grams found in {@code output}. */
  public double overlap(String output) {
    Monitor m = monitor();
    m.push(output);
    m.finish();
    return m.overlap();
  }

  public boolean leaks(String output) {
    return !shingles.isEmpty() && overlap(output) >= threshold;
  }

  public Monitor monitor() {
    return new Monitor();
  }

  /** Accumulates the overlap of one streamed output, delta by delta; not thread-safe. */
  public final class Monitor {
    private final Set<Long> seen = new HashSet<>();
    private final Shingler shingler = new Shingler(n, h -> {
      if (shingles.contains(h)) {
        seen.add(h);
      }
    });

    private Monitor() {}

    public void push(CharSequence delta) {
      shingler.push(delta);
    }

    public void finish() {
      shingler.finish();
    }

    /** Share of the system prompt's n-grams seen so far. */
    public double overlap() {
      return shingles.isEmpty() ? 0 : (double) seen.size() / shingles.size();
    }

    public boolean leaked() {
      return !shingles.isEmpty() && overlap() >= threshold;
    }
  }

  /** Rolling hash of the last n words; words may be split across pushes. */
  private static final class Shingler {
    private static final long SEED = 1125899906842597L;
    private final long[] window;
    private final LongConsumer sink;
    private int filled;
    private long word = SEED;
    private boolean inWord;
    /** A high surrogate at the end of the last delta, waiting for its pair. */
    private char high;

    Shingler(int n, LongConsumer sink) {
      this.window = new long[n];
      this.sink = sink;
    }

    void push(CharSequence delta) {
      for (int i = 0; i < delta.length(); i++) {
        char c = delta.charAt(i);
        int cp = c;
        if (high != 0) {
          cp = Character.isLowSurrogate(c) ? Character.toCodePoint(high, c) : c;
          high = 0;
        } else if (Character.isHighSurrogate(c)) {
          high = c;
          continue;
        }
        if (CanaryView.ignorable(cp)) {
          continue;
        }
        // lower case first (so 'M' and 'm' read alike), then the letter itself (capital look-alikes)
        String v = CanaryView.of(Character.toLowerCase(cp));
        if (v.length() == 1 && v.charAt(0) == CanaryView.BREAK) {
          v = CanaryView.of(cp);
        }
        if (v.isEmpty()) {
          if (inWord) {
            endWord();
          }
          continue;
        }
        for (int k = 0; k < v.length(); k++) {
          char x = v.charAt(k);
          word = 31 * word + (x == CanaryView.BREAK ? Character.toLowerCase(cp) : x);
        }
        inWord = true;
      }
    }

    void finish() {
      if (inWord) {
        endWord();
      }
    }

    private void endWord() {
      int size = window.length;
      System.arraycopy(window, 1, window, 0, size - 1);
      window[size - 1] = word;
      word = SEED;
      inWord = false;
      if (++filled >= size) {
        long h = 0;
        for (long w : window) {
          h = h * 0x9E3779B97F4A7C15L + w;
        }
        sink.accept(h);
      }
    }
  }
}

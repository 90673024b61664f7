package dev.portcullis.guard.detect;

import dev.portcullis.guard.text.LiteralAutomaton;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One-pass PII and secret scanner. Text that is not plain ASCII is read through a normalised view
 * ({@link FoldedText}: NFKC, invisible characters and combining marks removed, confusables folded to ASCII,
 * {@code %XX} decoded), and findings are mapped back to the original characters they came from; plain ASCII
 * without {@code %} is scanned as it is, at the cost of one check per character.
 *
 * <p>A single loop over the text drives a literal automaton (secret prefixes and key words) and dispatches on
 * character classes at token starts (digits, upper-case letters, hex, {@code @}); only candidates that survive those cheap checks reach the validators (checksums, issuer ranges, libphonenumber).
 *
 * <p>Every validator reads at most {@link #MAX_LOOKAHEAD} characters past the start of its candidate and at most
 * {@link #MAX_LOOKBEHIND} before it, which is what bounds the hold-back window of the stream filters. Both count
 * characters of the view; in the original text a view character spans at most
 * {@value FoldedText#MAX_INVISIBLE_RUN} + 3 characters. Immutable and thread-safe.
 */
public final class Scanner {
  /** Longest forward read of any validator, in characters (a PEM private key block). */
  public static final int MAX_LOOKAHEAD = 8192;
  /** Longest backward read of any validator, in characters (context words and e-mail local parts). */
  public static final int MAX_LOOKBEHIND = 128;

  private final ScannerConfig config;
  private final boolean[] enabled;
  private final Rules rules;

  private Scanner(ScannerConfig config, Rules rules) {
    this.config = config;
    this.enabled = new boolean[FindingType.values().length];
    for (FindingType t : config.enabled()) {
      enabled[t.ordinal()] = true;
    }
    this.rules = rules;
  }

  public static Scanner create(ScannerConfig config) {
    Objects.requireNonNull(config, "config");
    Folding.load();
    return new Scanner(config, new Rules(config.defaultRegion()));
  }

  /**
   * This scanner reading phone numbers without a country code as {@code region} (ISO 3166 alpha-2, e.g. a tenant's
   * or a profile's region). Cheap: the compiled literal automaton is shared, so a caller may keep one scanner per
   * profile and derive one per tenant region (or per call).
   */
  public Scanner withRegion(String region) {
    ScannerConfig c = config.withRegion(region);
    return c.equals(config) ? this : new Scanner(c, rules.withRegion(c.defaultRegion()));
  }

  public ScannerConfig config() {
    return config;
  }

  /** Findings in {@code text}, sorted by start, non-overlapping (the leftmost, then longest, wins). */
  public List<Finding> scan(CharSequence text) {
    return scan(text, 0, true).findings();
  }

  /**
   * Result of scanning {@code text} from {@code from} when more text may follow ({@code complete == false}).
   * {@code stableEnd} is the position before which no finding can change whatever text is appended; findings
   * starting before it are final. With {@code complete}, {@code stableEnd} is the text length.
   */
  public record Partial(List<Finding> findings, List<Integer> origins, int stableEnd, List<Integer> runs) {
    public Partial {
      findings = List.copyOf(findings);
      origins = List.copyOf(origins);
      runs = List.copyOf(runs);
      if (findings.size() != origins.size()) {
        throw new IllegalArgumentException("one origin per finding");
      }
    }

    /**
     * The largest position at or below {@code b} that is not strictly inside a digit run examined as one candidate
     * (an incremental scan restarting inside such a run would read it differently).
     */
    public int outsideRuns(int b) {
      for (int k = 0; k + 1 < runs.size(); k += 2) {
        if (b > runs.get(k) && b < runs.get(k + 1)) {
          return runs.get(k);
        }
      }
      return b;
    }
  }

  /**
   * Scans {@code text} starting at {@code from} (characters before it serve only as left context; callers keep at
   * least {@link #MAX_LOOKBEHIND} of them). Findings starting before {@code from} are dropped. Each finding comes
   * with its origin: where the candidate that produced it begins (at or before the finding), which is where a
   * later incremental scan must restart to reproduce it.
   */
  public Partial scan(CharSequence text, int from, boolean complete) {
    Objects.requireNonNull(text, "text");
    if (from < 0 || from > text.length()) {
      throw new IllegalArgumentException("from out of range: " + from);
    }
    // Optimistic: scan the text as it is; the scan gives up at the first character the view would read otherwise.
    // Before `from`, the validators read at most MAX_LOOKBEHIND characters (an escape may start 2 earlier).
    if (FoldedText.plain(text, Math.max(0, from - MAX_LOOKBEHIND - 3), from)) {
      Partial plain = scanView(text, from, complete, true);
      if (plain != null) {
        return plain;
      }
    }
    FoldedText folded = FoldedText.of(text, complete);
    return folded.toOriginal(scanView(folded.view, folded.index(from), complete, false), complete, text.length());
  }

  /**
   * Where a stream filter may drop the text before {@code pos} (the start of what it has not emitted) and still get
   * the results of scanning the whole text: it keeps at least {@link #MAX_LOOKBEHIND} characters of the normalised
   * view before {@code pos}; in plain text, a few hundred characters.
   */
  public static int contextStart(CharSequence text, int pos) {
    return FoldedText.contextStart(text, pos, MAX_LOOKBEHIND);
  }

  /** Scans {@code text} as read; when {@code plainOnly}, null as soon as a character is not plain. */
  private Partial scanView(CharSequence text, int from, boolean complete, boolean plainOnly) {
    Ctx ctx = new Ctx(text, from, complete);
    if (!run(ctx, plainOnly)) {
      return null;
    }
    List<Finding> kept = new ArrayList<>(ctx.found.size());
    List<Integer> origins = new ArrayList<>(ctx.found.size());
    if (!ctx.found.isEmpty()) {
      Integer[] order = new Integer[ctx.found.size()];
      for (int k = 0; k < order.length; k++) {
        order[k] = k;
      }
      java.util.Arrays.sort(order, (a, b) -> ctx.found.get(a).compareTo(ctx.found.get(b)));
      int lastEnd = from;
      for (int k : order) {
        Finding f = ctx.found.get(k);
        if (f.start() >= lastEnd && enabled[f.type().ordinal()]) {
          kept.add(f);
          origins.add(Math.min(f.start(), ctx.origins.get(k)));
          lastEnd = f.end();
        } else if (!kept.isEmpty() && f.start() < lastEnd && enabled[f.type().ordinal()]) {
          // shadowed by the finding kept before it, which more text may undo (an e-mail whose domain goes on):
          // a later scan must restart where the shadowed candidate began, or it can no longer find it
          int last = kept.size() - 1;
          origins.set(last, Math.min(origins.get(last), Math.min(f.start(), ctx.origins.get(k))));
        }
      }
    }
    int stable = text.length();
    if (!complete) {
      stable = Math.min(stable, ctx.openMin);
      stable = Math.min(stable, text.length() - rules.automaton().depth(ctx.endState));
      stable = Math.min(stable, trailingRunStart(text));
      stable = Math.max(stable, from);
    }
    return new Partial(kept, origins, stable, ctx.runs);
  }

  /** Start of the trailing run of characters that could still become an e-mail local part or key name. */
  private static int trailingRunStart(CharSequence text) {
    int n = text.length();
    int k = n;
    while (k > 0 && n - k <= Chars.MAX_LOCAL + 1 && (Chars.isLocalChar(text.charAt(k - 1)) || text.charAt(k - 1) == '"')) {
      k--;
    }
    if (k > 0 && (text.charAt(k - 1) == '+' || text.charAt(k - 1) == '(')) {
      k--;
    }
    return k;
  }

  /** Runs the scan; returns false (and stops) at the first character that is not plain when {@code plainOnly}. */
  private boolean run(Ctx ctx, boolean plainOnly) {
    CharSequence text = ctx.text;
    int n = text.length();
    LiteralAutomaton ac = rules.automaton();
    int state = 0;
    boolean prevWord = ctx.from > 0 && Chars.isWordChar(text.charAt(ctx.from - 1));
    for (int i = ctx.from; i < n; i++) {
      char c = text.charAt(i);
      int e = ac.stepEncoded(state, c);
      state = e >>> 1;
      if ((e & 1) != 0) {
        for (int id : ac.outputs(state)) {
          ctx.begin();
          int start = rules.anchor(ctx, id, i + 1);
          ctx.end(start);
        }
      }
      if (c < 128) {
        int info = Chars.INFO[c];
        if (plainOnly && (info & Chars.NOT_PLAIN_BIT) != 0) {
          return false;
        }
        int k = info & 15;
        if (k != 0 && (!prevWord || k == Chars.AT)) {
          dispatch(ctx, k, c, i, prevWord);
        }
        prevWord = (info & Chars.WORD_BIT) != 0;
      } else if (plainOnly) {
        return false;
      } else {
        prevWord = Character.isLetterOrDigit(c);
      }
    }
    ctx.endState = state;
    return true;
  }

  private void dispatch(Ctx ctx, int k, char c, int i, boolean prevWord) {
    switch (k) {
      case Chars.DIGIT -> {
        if (!prevWord && i >= ctx.skipUntil) {
          ctx.begin();
          int start = rules.numeric(ctx, i);
          ctx.end(start);
        }
      }
      case Chars.UPPER_HEX, Chars.UPPER -> {
        if (!prevWord) {
          ctx.begin();
          rules.upper(ctx, i);
          if (k == Chars.UPPER_HEX && i >= ctx.skipUntil && Chars.mayStartHexAddress(ctx, i)) {
            rules.hex(ctx, i);
          }
          ctx.end(i);
        }
      }
      case Chars.LOWER_HEX, Chars.COLON -> {
        if (!prevWord && i >= ctx.skipUntil && Chars.mayStartHexAddress(ctx, i)) {
          ctx.begin();
          rules.hex(ctx, i);
          ctx.end(i);
        }
      }
      case Chars.AT -> {
        ctx.begin();
        int start = rules.email(ctx, i);
        ctx.end(start);
      }
      default -> {}
    }
  }

  /** Per-scan state: the text, findings so far, and which candidates read up to the end of a partial text. */
  static final class Ctx {
    final CharSequence text;
    final int n;
    final int from;
    final boolean complete;
    final List<Finding> found = new ArrayList<>(4);
    final List<Integer> origins = new ArrayList<>(4);
    final List<Integer> runs = new ArrayList<>();
    int skipUntil;
    int openMin = Integer.MAX_VALUE;
    int endState;
    private boolean touched;

    Ctx(CharSequence text, int from, boolean complete) {
      this.text = text;
      this.n = text.length();
      this.from = from;
      this.complete = complete;
    }

    /** Character at {@code i}, or -1 past the end (which, on a partial text, leaves the candidate open). */
    int peek(int i) {
      if (i >= n) {
        touched = true;
        return -1;
      }
      return text.charAt(i);
    }

    void begin() {
      touched = false;
    }

    void end(int candidateStart) {
      if (touched && !complete) {
        openMin = Math.min(openMin, Math.max(0, candidateStart));
      }
      for (int k = origins.size(); k < found.size(); k++) {
        origins.add(candidateStart);
      }
      touched = false;
    }

    /** Records a digit run {@code [start, end)} examined as one candidate (only needed for partial texts). */
    void run(int start, int end) {
      if (!complete) {
        runs.add(start);
        runs.add(end);
      }
    }

    void add(FindingType type, int start, int end, double confidence) {
      found.add(new Finding(type, start, end, Math.min(1.0, confidence)));
    }
  }
}

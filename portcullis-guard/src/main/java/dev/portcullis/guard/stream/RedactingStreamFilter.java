package dev.portcullis.guard.stream;

import dev.portcullis.guard.action.Applied;
import dev.portcullis.guard.action.Redactor;
import dev.portcullis.guard.action.RequestScope;
import dev.portcullis.guard.detect.Finding;
import dev.portcullis.guard.detect.FindingType;
import dev.portcullis.guard.detect.Scanner;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Applies a {@link Redactor} to a stream so that the output equals {@code redactor.apply(wholeText)}.
 *
 * <p>Hold-back: text is emitted as soon as no finding can start before it whatever follows. In prose that holds
 * back only the trailing word (at most 65 characters, a possible e-mail local part or key name) or an unfinished
 * secret prefix; a started candidate (digit run, e-mail domain, token) is held until it ends. The bound is
 * {@link Scanner#MAX_LOOKAHEAD} characters (a PEM private-key block); every other detector reads at most 4,096.
 * A block action does not stop the filter: the value is redacted and {@link #blockedTypes()} becomes non-empty,
 * and the caller ends the stream.
 */
public final class RedactingStreamFilter implements TextStreamFilter {
  /** Emitted characters kept before the buffer is trimmed to the left context the scanner needs. */
  private static final int TRIM_AT = 1024;

  private final Redactor redactor;
  private final RequestScope scope;
  private final StringBuilder buf = new StringBuilder();
  private final List<Applied.Hit> hits = new ArrayList<>();
  private final Set<FindingType> blocked = EnumSet.noneOf(FindingType.class);
  private int emitted;
  private long base;
  private boolean finished;

  public RedactingStreamFilter(Redactor redactor, RequestScope scope) {
    this.redactor = Objects.requireNonNull(redactor, "redactor");
    this.scope = scope;
  }

  @Override
  public String push(CharSequence delta) {
    if (finished) {
      throw new IllegalStateException("stream already finished");
    }
    buf.append(delta);
    return drain(false);
  }

  @Override
  public String finish() {
    if (finished) {
      throw new IllegalStateException("stream already finished");
    }
    String rest = drain(true);
    finished = true;
    return rest;
  }

  /** Hits so far, spans in stream coordinates (characters since the start of the stream). */
  public List<Applied.Hit> hits() {
    return List.copyOf(hits);
  }

  /** The hits found after the first {@code from} (a view, valid until the next push): for reporting each once. */
  public List<Applied.Hit> hitsSince(int from) {
    return java.util.Collections.unmodifiableList(hits.subList(Math.min(from, hits.size()), hits.size()));
  }

  /** Types whose action is block seen so far; non-empty means the caller should end the stream. */
  public Set<FindingType> blockedTypes() {
    return Set.copyOf(blocked);
  }

  /** Characters received but not yet emitted. */
  public int heldBack() {
    return buf.length() - emitted;
  }

  /**
   * Emit boundary: not past {@code stableEnd}, not inside a finding, and not past the origin of a finding that is
   * not emitted yet (so the next incremental scan, which starts at the boundary, finds it again).
   */
  private int settle(Scanner.Partial p) {
    int b = Math.max(p.outsideRuns(p.stableEnd()), emitted);
    List<Finding> fs = p.findings();
    boolean moved = true;
    while (moved) {
      moved = false;
      for (int k = 0; k < fs.size(); k++) {
        Finding f = fs.get(k);
        int limit = b;
        if (f.start() < b && f.end() > b) {
          limit = Math.min(f.start(), p.origins().get(k));
        } else if (f.start() >= b) {
          limit = Math.min(b, p.origins().get(k));
        }
        limit = Math.max(p.outsideRuns(limit), emitted);
        if (limit < b) {
          b = limit;
          moved = true;
        }
      }
    }
    return b;
  }

  private String drain(boolean complete) {
    Scanner.Partial p = redactor.scanner().scan(buf, emitted, complete);
    int boundary = complete ? buf.length() : settle(p);
    StringBuilder out = new StringBuilder();
    int pos = emitted;
    for (Finding f : p.findings()) {
      if (f.start() >= boundary) {
        break;
      }
      var action = redactor.policy().actionFor(f);
      out.append(buf, pos, f.start());
      out.append(redactor.replacement(buf, f, action, scope));
      pos = f.end();
      hits.add(new Applied.Hit(f.type(), (int) (f.start() + base), (int) (f.end() + base), f.confidence(), action));
      if (action instanceof dev.portcullis.guard.action.Action.Block) {
        blocked.add(f.type());
      }
    }
    if (pos < boundary) {
      out.append(buf, pos, boundary);
      pos = boundary;
    }
    emitted = pos;
    if (emitted > TRIM_AT) {
      int drop = Scanner.contextStart(buf, emitted);
      if (drop > 0) {
        buf.delete(0, drop);
        emitted -= drop;
        base += drop;
      }
    }
    return out.toString();
  }
}

package dev.portcullis.guard;

import dev.portcullis.guard.action.Action;
import dev.portcullis.guard.action.Applied;
import dev.portcullis.guard.action.Redactor;
import dev.portcullis.guard.action.RequestScope;
import dev.portcullis.guard.stream.RedactingStreamFilter;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * PII and secret guard for one route or plan profile: scans a text, applies the actions, emits one event per hit.
 * In shadow mode it reports what it would do and forwards the text unchanged. Immutable and thread-safe.
 */
public final class PiiGuard {
  private final String name;
  private final Redactor redactor;
  private final FailurePolicy failurePolicy;
  private final boolean shadow;
  private final GuardListener listener;

  public PiiGuard(String name, Redactor redactor, FailurePolicy failurePolicy, boolean shadow, GuardListener listener) {
    this.name = Objects.requireNonNull(name, "name");
    this.redactor = Objects.requireNonNull(redactor, "redactor");
    this.failurePolicy = Objects.requireNonNull(failurePolicy, "failurePolicy");
    this.shadow = shadow;
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /** Inspects one text (a message content, tool arguments, a prompt or an embeddings input). */
  public GuardOutcome inspect(String text, RequestScope scope, GuardContext ctx) {
    return Guards.run(name, failurePolicy, listener, ctx, text, () -> {
      Applied applied = redactor.apply(text, scope);
      Set<String> blocked = new TreeSet<>();
      for (Applied.Hit h : applied.hits()) {
        Guards.emit(listener, new SecurityEvent(ctx.clock().instant(), name, h.type().name(), h.action().name(),
            ctx.route(), ctx.principalId(), shadow));
        if (h.action() instanceof Action.Block) {
          blocked.add(h.type().name());
        }
      }
      if (shadow) {
        return new GuardOutcome.Allowed(text, false);
      }
      if (!blocked.isEmpty()) {
        return new GuardOutcome.Blocked(name, blocked);
      }
      return new GuardOutcome.Allowed(applied.text(), !applied.hits().isEmpty() && !applied.text().equals(text));
    });
  }

  /** A filter for one streamed response; the caller checks {@link RedactingStreamFilter#blockedTypes()}. */
  public RedactingStreamFilter streamFilter(RequestScope scope) {
    return new RedactingStreamFilter(redactor, scope);
  }

  public String name() {
    return name;
  }

  public boolean shadow() {
    return shadow;
  }
}

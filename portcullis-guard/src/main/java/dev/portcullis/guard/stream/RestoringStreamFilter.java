package dev.portcullis.guard.stream;

import dev.portcullis.guard.action.PseudonymVault;
import java.util.Objects;

/**
 * Puts a request's pseudonymised values back into its response stream, equal to
 * {@link PseudonymVault#restore} of the whole text. Holds back at most {@link PseudonymVault#MAX_PLACEHOLDER} - 1
 * characters, and only while the tail could still be the start of a placeholder ({@code [} followed by
 * placeholder characters).
 */
public final class RestoringStreamFilter implements TextStreamFilter {
  private final PseudonymVault vault;
  private final StringBuilder pending = new StringBuilder();
  private boolean finished;

  public RestoringStreamFilter(PseudonymVault vault) {
    this.vault = Objects.requireNonNull(vault, "vault");
  }

  @Override
  public String push(CharSequence delta) {
    if (finished) {
      throw new IllegalStateException("stream already finished");
    }
    pending.append(delta);
    int cut = openPlaceholderStart();
    String ready = pending.substring(0, cut);
    pending.delete(0, cut);
    return vault.restore(ready);
  }

  @Override
  public String finish() {
    if (finished) {
      throw new IllegalStateException("stream already finished");
    }
    finished = true;
    String rest = vault.restore(pending);
    pending.setLength(0);
    return rest;
  }

  /** Start of a trailing '[' that may still open a placeholder, or the buffer length. */
  private int openPlaceholderStart() {
    int n = pending.length();
    int from = Math.max(0, n - (PseudonymVault.MAX_PLACEHOLDER - 1));
    for (int i = n - 1; i >= from; i--) {
      char c = pending.charAt(i);
      if (c == '[') {
        return i;
      }
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
        return n;
      }
    }
    return n;
  }
}

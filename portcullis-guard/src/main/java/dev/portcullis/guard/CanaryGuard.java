package dev.portcullis.guard;

import dev.portcullis.guard.canary.Canary;
import dev.portcullis.guard.canary.CanaryDetector;
import dev.portcullis.guard.canary.CanaryStreamFilter;
import dev.portcullis.guard.canary.SystemPromptLeakDetector;
import java.util.Objects;
import java.util.Set;

/**
 * Output guard for one request: the request's canary (in every form {@link CanaryDetector} knows) and verbatim
 * fragments of its system prompt. {@code block} ends the response; otherwise canaries are redacted and the leak is
 * reported. In shadow mode leaks are reported (events flagged shadow) and the response is left alone.
 */
public final class CanaryGuard {
  private final String name;
  private final String instruction;
  private final CanaryDetector canary;
  private final SystemPromptLeakDetector systemPrompt;
  private final boolean block;
  private final boolean shadow;
  private final FailurePolicy failurePolicy;
  private final GuardListener listener;

  /** {@code systemPrompt} may be null when the request has none. */
  public CanaryGuard(String name, Canary canary, SystemPromptLeakDetector systemPrompt, boolean block,
      FailurePolicy failurePolicy, GuardListener listener) {
    this(name, canary, systemPrompt, block, false, failurePolicy, listener);
  }

  /** {@code systemPrompt} may be null when the request has none. */
  public CanaryGuard(String name, Canary canary, SystemPromptLeakDetector systemPrompt, boolean block, boolean shadow,
      FailurePolicy failurePolicy, GuardListener listener) {
    this.name = Objects.requireNonNull(name, "name");
    this.canary = new CanaryDetector(Objects.requireNonNull(canary, "canary"));
    this.instruction = canary.instruction();
    this.systemPrompt = systemPrompt;
    this.block = block;
    this.shadow = shadow;
    this.failurePolicy = Objects.requireNonNull(failurePolicy, "failurePolicy");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /** Inspects a whole response text. */
  public GuardOutcome inspect(String output, GuardContext ctx) {
    return inspect(output, ctx, true);
  }

  /**
   * Inspects a whole response text; {@code watchPrompt} false for fields that repeat the request (a Responses
   * answer's {@code instructions}), where the system prompt is expected and only the canary is looked for.
   */
  public GuardOutcome inspect(String output, GuardContext ctx, boolean watchPrompt) {
    return Guards.run(name, failurePolicy, listener, ctx, output, () -> {
      boolean canaryLeak = !canary.find(output).isEmpty();
      boolean promptLeak = watchPrompt && systemPrompt != null && systemPrompt.leaks(output);
      String action = block ? "block" : "redact";
      if (canaryLeak) {
        Guards.emit(listener, new SecurityEvent(ctx.clock().instant(), name, "CANARY_LEAK", action, ctx.route(),
            ctx.principalId(), shadow));
      }
      if (promptLeak) {
        Guards.emit(listener, new SecurityEvent(ctx.clock().instant(), name, "SYSTEM_PROMPT_LEAK",
            block ? "block" : "log", ctx.route(), ctx.principalId(), shadow));
      }
      if (shadow) {
        return new GuardOutcome.Allowed(output, false);
      }
      if (block && (canaryLeak || promptLeak)) {
        return new GuardOutcome.Blocked(name, canaryLeak && promptLeak ? Set.of("CANARY_LEAK", "SYSTEM_PROMPT_LEAK")
            : Set.of(canaryLeak ? "CANARY_LEAK" : "SYSTEM_PROMPT_LEAK"));
      }
      String text = canaryLeak ? CanaryStreamFilter.redact(canary, output) : output;
      return new GuardOutcome.Allowed(text, canaryLeak);
    });
  }

  /**
   * A repeat of the request's instructions without the canary sentence the gateway appended to them (the text as
   * the caller sent it); other texts unchanged.
   */
  public String withoutInstruction(String echo) {
    if (echo.equals(instruction)) {
      return "";
    }
    return echo.endsWith("\n\n" + instruction) ? echo.substring(0, echo.length() - instruction.length() - 2) : echo;
  }

  /** Stream filter redacting the canary; check {@link CanaryStreamFilter#leaks()} after each push. */
  public CanaryStreamFilter streamFilter() {
    return new CanaryStreamFilter(canary);
  }

  public String name() {
    return name;
  }

  public boolean blocks() {
    return block;
  }

  public boolean shadow() {
    return shadow;
  }

  /** Accumulates system-prompt overlap over a stream, or null when the request has no system prompt. */
  public SystemPromptLeakDetector.Monitor leakMonitor() {
    return systemPrompt == null ? null : systemPrompt.monitor();
  }
}

package dev.portcullis.guards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.guard.CanaryGuard;
import dev.portcullis.guard.FailurePolicy;
import dev.portcullis.guard.GuardContext;
import dev.portcullis.guard.GuardListener;
import dev.portcullis.guard.GuardOutcome;
import dev.portcullis.guard.PiiGuard;
import dev.portcullis.guard.SecurityEvent;
import dev.portcullis.guard.action.Applied;
import dev.portcullis.guard.action.RequestScope;
import dev.portcullis.guard.canary.CanaryStreamFilter;
import dev.portcullis.guard.canary.SystemPromptLeakDetector;
import dev.portcullis.guard.payload.Api;
import dev.portcullis.guard.payload.ChatStreamRewriter;
import dev.portcullis.guard.payload.OutputTexts;
import dev.portcullis.guard.payload.ResponsesStreamRewriter;
import dev.portcullis.guard.payload.UnknownFields;
import dev.portcullis.guard.stream.RedactingStreamFilter;
import dev.portcullis.guard.stream.RestoringStreamFilter;
import dev.portcullis.guard.stream.TextStreamFilter;
import dev.portcullis.pipeline.ApiError;
import dev.portcullis.pipeline.Exchange;
import dev.portcullis.pipeline.ResponseFilter;
import dev.portcullis.pipeline.ResponseFilterFactory;
import dev.portcullis.pipeline.SseEvent;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Inspect output: PII and secret actions on the response, the request's pseudonyms put back (its placeholders
 * never reach the client, and its real values never went upstream), and the canary watched for, on every string
 * the client receives ({@link OutputTexts}; fields the API does not define are inspected or dropped as the profile
 * says). On a stream every text channel (each string under a choice: content, refusal, reasoning, transcripts, each
 * tool call's name and arguments, unknown fields) passes through its own chain of exact stream filters, so a value
 * split across events is still caught; held-back text is flushed before {@code [DONE]}. A Responses API stream is
 * rewritten per text stream (each output item's content parts, arguments, reasoning) by
 * {@link ResponsesStreamRewriter}, whose closing events carry exactly the filtered text that was streamed. Fields
 * of a Responses answer that repeat the request ({@code instructions}, …) are given back without the canary
 * sentence the gateway added, and are not read as a system-prompt leak.
 */
public final class OutputGuardFilter implements ResponseFilterFactory {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ApiError BLOCKED = new ApiError("The response was blocked by the gateway's content policy.",
      "invalid_request_error", null, "output_blocked");
  /** A stream filter that failed: the stream ends (fail closed). */
  private static final ApiError FAILED = new ApiError("The response could not be inspected.", "server_error", null,
      "guard_unavailable");
  /** An answer the output guards cannot read (not JSON, or a stream event that is not a JSON object): fail closed. */
  private static final ApiError UNREADABLE = new ApiError("The upstream's answer could not be inspected, so it was "
      + "withheld.", "upstream_error", null, "output_uninspectable");

  private final Clock clock;
  private final GuardListener listener;

  /** {@code listener} receives the canary-leak events of streams (whole responses report through the guard). */
  public OutputGuardFilter(Clock clock, GuardListener listener) {
    this.clock = clock;
    this.listener = listener;
  }

  @Override
  public ResponseFilter create(Exchange exchange) {
    GuardRuntime.Built built = exchange.get(InputGuardStage.PROFILE);
    RequestScope scope = exchange.get(InputGuardStage.SCOPE);
    CanaryGuard canary = exchange.get(InputGuardStage.CANARY);
    Api api = InputGuardStage.api(exchange.route());
    if (built == null || api == null || api == Api.EMBEDDINGS) {
      return ResponseFilter.PASS_THROUGH;
    }
    boolean restore = scope != null && scope.vault().size() > 0;
    if (!restore && built.output() == null && canary == null) {
      return ResponseFilter.PASS_THROUGH;
    }
    GuardContext ctx = new GuardContext(exchange.route().id(),
        exchange.principalId() == null ? "anonymous" : exchange.principalId(), clock);
    return exchange.stream() ? new Streamed(api, built, scope, canary, restore, ctx, listener)
        : new Whole(api, built, scope, canary, restore, ctx);
  }

  /**
   * Shadow mode on streams: {@code filter} sees every delta and records its findings; the text passes unchanged. A
   * filter that throws is reported once to {@code failed} and fed no more: a shadow guard never changes the stream.
   */
  private static TextStreamFilter detectOnly(TextStreamFilter filter, Runnable failed) {
    boolean[] broken = {false};
    return observing(delta -> {
      if (!broken[0]) {
        try {
          filter.push(delta);
        } catch (RuntimeException e) {
          broken[0] = true;
          failed.run();
        }
      }
    }, () -> {
      if (!broken[0]) {
        try {
          filter.finish();
        } catch (RuntimeException e) {
          broken[0] = true;
          failed.run();
        }
      }
    });
  }

  /** Passes text through unchanged, feeding it to {@code monitor}. */
  private static TextStreamFilter watching(SystemPromptLeakDetector.Monitor monitor) {
    return observing(monitor::push, () -> {});
  }

  /** A filter that hands every delta to {@code push} and the end to {@code finish}, changing nothing. */
  private static TextStreamFilter observing(java.util.function.Consumer<CharSequence> push, Runnable finish) {
    return new TextStreamFilter() {
      @Override
      public String push(CharSequence delta) {
        push.accept(delta);
        return delta.toString();
      }

      @Override
      public String finish() {
        finish.run();
        return "";
      }
    };
  }

  /** Whole responses: every text field through output PII, pseudonym restoration and the canary check. */
  private static final class Whole implements ResponseFilter {
    private final Api api;
    private final GuardRuntime.Built built;
    private final RequestScope scope;
    private final CanaryGuard canary;
    private final boolean restore;
    private final GuardContext ctx;

    Whole(Api api, GuardRuntime.Built built, RequestScope scope, CanaryGuard canary, boolean restore,
        GuardContext ctx) {
      this.api = api;
      this.built = built;
      this.scope = scope;
      this.canary = canary;
      this.restore = restore;
      this.ctx = ctx;
    }

    /** An event stream where a whole answer was asked for: not what the guards can read, so it is withheld. */
    @Override
    public Result onEvent(SseEvent event) {
      return new Result.End(502, UNREADABLE);
    }

    @Override
    public Result onBody(Buffer body) {
      JsonNode json;
      try {
        json = JSON.readTree(body.getBytes());
      } catch (IOException e) {
        return new Result.End(502, UNREADABLE);
      }
      if (json == null || json.isMissingNode()) {
        return body.length() == 0 ? Result.PASS : new Result.End(502, UNREADABLE);
      }
      if (!(json instanceof ObjectNode answer)) {
        return new Result.End(502, UNREADABLE);
      }
      boolean[] block = {false};
      boolean[] failed = {false};
      boolean changed = OutputTexts.rewrite(answer, api, built.profile().unknownOutputFields(), (text, role, path) -> {
        boolean echo = role.equals(OutputTexts.REQUEST);
        String out = echo && canary != null ? canary.withoutInstruction(text) : text;
        if (built.output() != null) {
          out = apply(built.output().inspect(out, scope, ctx), out, block, failed, built.output().shadow());
        }
        if (canary != null) {
          out = apply(canary.inspect(out, ctx, !echo), out, block, failed, canary.shadow());
        }
        return restore ? scope.vault().restore(out) : out;
      });
      if (failed[0]) {
        return new Result.End(503, FAILED);
      }
      if (block[0]) {
        return new Result.End(403, BLOCKED);
      }
      return changed ? new Result.Emit(List.of(Buffer.buffer(json.toString()))) : Result.PASS;
    }

    /**
     * The text a guard's outcome leaves; a failure under {@code fail-open}, or of a shadow guard, leaves the text as
     * it was.
     */
    private static String apply(GuardOutcome outcome, String text, boolean[] block, boolean[] failed,
        boolean shadow) {
      return switch (outcome) {
        case GuardOutcome.Allowed a -> a.text();
        case GuardOutcome.Blocked b -> {
          block[0] = true;
          yield text;
        }
        case GuardOutcome.Failed f -> {
          if (f.policy() == FailurePolicy.FAIL_CLOSED && !shadow) {
            failed[0] = true;
          }
          yield text;
        }
      };
    }

    @Override
    public Result finish() {
      return Result.PASS;
    }
  }

  /**
   * Streams: chunk by chunk through per-channel exact filters. Each hit of the output PII guard is reported once, as
   * it is found; the guard's time is reported once, at the end, as the time spent in all filters of the stream. The
   * system prompt is watched per text channel on the filtered text: when a channel's overlap reaches the threshold,
   * the leak is reported and, under {@code canary: block}, the stream ends (what was sent before that point stays
   * sent: at most the threshold's share of the prompt). A guard in shadow mode sees every delta and reports what it
   * finds, and its text passes unchanged. A filter that throws ends the stream whatever {@code on-failure} says:
   * the text it held back is lost with it, so the stream cannot go on unchanged.
   */
  private static final class Streamed implements ResponseFilter {
    /** Rewrites one parsed event into the events to send; {@code flush} gives what is still held back. */
    private final Function<ObjectNode, List<ObjectNode>> rewrite;
    private final Supplier<List<ObjectNode>> flushRewriter;
    /** Responses API events are named by their type; chat chunks keep the upstream's name (usually none). */
    private final boolean named;
    private final List<RedactingStreamFilter> redactors = new ArrayList<>();
    private final List<CanaryStreamFilter> canaries = new ArrayList<>();
    private final List<SystemPromptLeakDetector.Monitor> monitors = new ArrayList<>();
    private final boolean blockOnCanary;
    private final boolean canaryShadow;
    private final PiiGuard output;
    private final GuardContext ctx;
    private final GuardListener listener;
    private boolean flushed;
    private boolean leakReported;
    private boolean promptLeakReported;
    private boolean failed;
    private boolean evaluatedReported;
    /** Output PII hits already reported, per redactor. */
    private final List<Integer> reported = new ArrayList<>();
    private long filterNanos;

    Streamed(Api api, GuardRuntime.Built built, RequestScope scope, CanaryGuard canary, boolean restore,
        GuardContext ctx, GuardListener listener) {
      this.blockOnCanary = canary != null && canary.blocks() && !canary.shadow();
      this.canaryShadow = canary != null && canary.shadow();
      this.output = built.output();
      this.ctx = ctx;
      this.listener = listener;
      Function<Boolean, TextStreamFilter> chains = watchPrompt -> {
        TextStreamFilter chain = TextStreamFilter.IDENTITY;
        if (built.output() != null) {
          RedactingStreamFilter r = built.output().streamFilter(scope);
          redactors.add(r);
          reported.add(0);
          chain = built.output().shadow() ? detectOnly(r, () -> shadowFailed(built.output().name())) : r;
        }
        if (canary != null) {
          CanaryStreamFilter c = canary.streamFilter();
          canaries.add(c);
          chain = TextStreamFilter.chain(chain, canary.shadow() ? detectOnly(c, () -> shadowFailed(canary.name())) : c);
          SystemPromptLeakDetector.Monitor m = watchPrompt ? canary.leakMonitor() : null;
          if (m != null) {
            monitors.add(m);
            chain = TextStreamFilter.chain(chain, watching(m));
          }
        }
        if (restore) {
          chain = TextStreamFilter.chain(chain, new RestoringStreamFilter(scope.vault()));
        }
        return chain;
      };
      Supplier<TextStreamFilter> filters = () -> chains.apply(true);
      // a repeat of the request (a Responses answer's instructions, tools, …): the caller's text, canary removed
      UnaryOperator<String> echo = text -> {
        TextStreamFilter f = chains.apply(false);
        String head = f.push(canary != null ? canary.withoutInstruction(text) : text);
        return head + f.finish();
      };
      UnknownFields unknown = built.profile().unknownOutputFields();
      this.named = api == Api.RESPONSES;
      if (named) {
        ResponsesStreamRewriter rw = new ResponsesStreamRewriter(filters, echo, unknown);
        this.rewrite = rw::onEvent;
        this.flushRewriter = rw::finish;
      } else {
        ChatStreamRewriter rw = new ChatStreamRewriter(api, filters, unknown);
        this.rewrite = chunk -> {
          rw.onChunk(chunk);
          return List.of(chunk);
        };
        this.flushRewriter = rw::finish;
      }
    }

    @Override
    public Result onEvent(SseEvent event) {
      if (event.isDone()) {
        List<Buffer> out = flush();
        if (out == null) {
          return new Result.End(200, BLOCKED);
        }
        out.add(event.raw());
        return new Result.Emit(out);
      }
      String data = event.data();
      if (data == null) {
        return Result.PASS;
      }
      JsonNode chunk;
      try {
        chunk = JSON.readTree(data);
      } catch (IOException e) {
        return new Result.End(502, UNREADABLE);
      }
      if (!(chunk instanceof ObjectNode object)) {
        return data.isBlank() ? Result.PASS : new Result.End(502, UNREADABLE);
      }
      if (object.hasNonNull("error") && (!named || "error".equals(object.path("type").asText()))) {
        return Result.PASS;
      }
      List<ObjectNode> rewritten;
      long t0 = System.nanoTime();
      try {
        rewritten = rewrite.apply(object);
      } catch (RuntimeException e) {
        return fail(e);
      } finally {
        filterNanos += System.nanoTime() - t0;
      }
      if (violated()) {
        evaluated("blocked");
        return new Result.End(200, BLOCKED);
      }
      List<Buffer> out = new ArrayList<>(rewritten.size());
      for (ObjectNode e : rewritten) {
        out.add(SseEvent.of(named ? e.path("type").asText(event.name()) : event.name(), e.toString()).raw());
      }
      return new Result.Emit(out);
    }

    /** A whole body where a stream was asked for: not what the guards can read, so it is withheld. */
    @Override
    public Result onBody(Buffer body) {
      return body.length() == 0 ? Result.PASS : new Result.End(502, UNREADABLE);
    }

    @Override
    public Result finish() {
      List<Buffer> out = flush();
      if (out == null) {
        return new Result.End(200, BLOCKED);
      }
      return out.isEmpty() ? Result.PASS : new Result.Emit(out);
    }

    /** Held-back text as chunks; null when the flushed text violates a blocking policy or a filter failed. */
    private List<Buffer> flush() {
      List<Buffer> out = new ArrayList<>();
      if (flushed) {
        return out;
      }
      flushed = true;
      long t0 = System.nanoTime();
      try {
        for (ObjectNode chunk : flushRewriter.get()) {
          out.add(SseEvent.of(named ? chunk.path("type").asText() : null, chunk.toString()).raw());
        }
        monitors.forEach(SystemPromptLeakDetector.Monitor::finish);
      } catch (RuntimeException e) {
        fail(e);
        return null;
      } finally {
        filterNanos += System.nanoTime() - t0;
      }
      boolean violated = violated();
      evaluated(violated ? "blocked" : reported.stream().mapToInt(Integer::intValue).sum() > 0 ? "modified"
          : "allowed");
      return violated ? null : out;
    }

    /** A shadow guard's filter threw: reported as its error (shadow), and the stream goes on unchanged. */
    private void shadowFailed(String guard) {
      emit(new SecurityEvent(ctx.clock().instant(), guard, "GUARD_ERROR", "fail_open", ctx.route(),
          ctx.principalId(), true));
    }

    /** A filter threw: reported as the guard's error, and the stream ends. */
    private Result fail(RuntimeException e) {
      if (!failed) {
        failed = true;
        emit(new SecurityEvent(ctx.clock().instant(), output != null ? output.name() : "canary", "GUARD_ERROR",
            "fail_closed", ctx.route(), ctx.principalId(), false));
        evaluated("error");
      }
      return new Result.End(503, FAILED);
    }

    /** Reports the output guard's outcome and time, once per stream. */
    private void evaluated(String outcome) {
      if (output == null || evaluatedReported) {
        return;
      }
      evaluatedReported = true;
      try {
        listener.onEvaluated(output.name(), outcome, filterNanos);
      } catch (RuntimeException e) {
        // a listener must not change the decision
      }
    }

    private void emit(SecurityEvent event) {
      try {
        listener.onEvent(event);
      } catch (RuntimeException e) {
        // a listener must not change the decision
      }
    }

    private boolean violated() {
      for (int i = 0; i < redactors.size(); i++) {
        List<Applied.Hit> fresh = redactors.get(i).hitsSince(reported.get(i));
        for (Applied.Hit hit : fresh) {
          emit(new SecurityEvent(ctx.clock().instant(), output.name(), hit.type().name(), hit.action().name(),
              ctx.route(), ctx.principalId(), output.shadow()));
        }
        reported.set(i, reported.get(i) + fresh.size());
      }
      for (RedactingStreamFilter r : redactors) {
        if (!r.blockedTypes().isEmpty() && !output.shadow()) {
          return true;
        }
      }
      for (SystemPromptLeakDetector.Monitor m : monitors) {
        if (m.leaked()) {
          if (!promptLeakReported) {
            promptLeakReported = true;
            emit(new SecurityEvent(ctx.clock().instant(), "canary", "SYSTEM_PROMPT_LEAK",
                blockOnCanary ? "block" : "log", ctx.route(), ctx.principalId(), canaryShadow));
          }
          if (blockOnCanary) {
            return true;
          }
        }
      }
      for (CanaryStreamFilter c : canaries) {
        if (c.leaks() > 0) {
          if (!leakReported) {
            leakReported = true;
            emit(new SecurityEvent(ctx.clock().instant(), "canary", "CANARY_LEAK",
                blockOnCanary ? "block" : "redact", ctx.route(), ctx.principalId(), canaryShadow));
          }
          return blockOnCanary;
        }
      }
      return false;
    }
  }
}

package dev.portcullis.guards;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.IntArrayList;
import dev.portcullis.auth.IdentifyStage;
import dev.portcullis.config.Route;
import dev.portcullis.guard.CanaryGuard;
import dev.portcullis.guard.FailurePolicy;
import dev.portcullis.guard.GuardContext;
import dev.portcullis.guard.GuardOutcome;
import dev.portcullis.guard.action.PseudonymVault;
import dev.portcullis.guard.action.RequestScope;
import dev.portcullis.guard.canary.Canary;
import dev.portcullis.guard.canary.SystemPromptLeakDetector;
import dev.portcullis.guard.payload.Api;
import dev.portcullis.guard.payload.PayloadTexts;
import dev.portcullis.guard.payload.RequestTexts;
import dev.portcullis.guard.payload.TokenCodec;
import dev.portcullis.guards.GuardSettings.CanaryMode;
import dev.portcullis.identity.Principal;
import dev.portcullis.limit.tokens.TokenEstimator;
import dev.portcullis.pipeline.ApiError;
import dev.portcullis.pipeline.Decision;
import dev.portcullis.pipeline.Exchange;
import dev.portcullis.pipeline.HeavyWork;
import dev.portcullis.pipeline.Stage;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Inspect input: every string of the request ({@link RequestTexts}: messages of every role and all their fields,
 * tool and function definitions, response formats, predictions, suffixes, metadata, Responses items and tools, and
 * fields the gateway does not know) goes through the profile's PII and secret actions; instruction-like texts
 * except system prompts also get the prompt-injection score. A block names the detector types, never a value; a
 * field the guards read in a shape the API does not define is refused (400) rather than forwarded.
 * With canaries on, a random canary is added to the system prompt (Responses: {@code instructions}), and the output
 * filter watches for it.
 */
public final class InputGuardStage implements Stage {

  static final Exchange.Key<RequestScope> SCOPE = new Exchange.Key<>("guard-scope");
  static final Exchange.Key<GuardRuntime.Built> PROFILE = new Exchange.Key<>("guard-profile");
  static final Exchange.Key<CanaryGuard> CANARY = new Exchange.Key<>("guard-canary");
  /** Most distinct values one request may pseudonymise; beyond it values are redacted. */
  private static final int VAULT_CAPACITY = 512;

  private final GuardRuntime runtime;
  private final Clock clock;
  private final HeavyWork heavy;
  private final SecureRandom random = new SecureRandom();
  private final TokenEstimator encodings = new TokenEstimator();
  private final byte[] processKey = new byte[32];

  /** Bodies over {@link HeavyWork#LARGE_BODY_BYTES} are inspected on {@code heavy}, off the event loop. */
  public InputGuardStage(MeterRegistry registry, Clock clock, HeavyWork heavy) {
    this.runtime = new GuardRuntime(registry);
    this.clock = clock;
    this.heavy = heavy;
    random.nextBytes(processKey);
  }

  /** Builds the guards of these settings now (blocking: loads detectors), so no request waits for it. */
  public void prepare(GuardSettings settings) {
    runtime.profile(settings, null, null);
    // the canary's view tables too (a reload may turn canaries on)
    dev.portcullis.guard.canary.CanaryDetector.prepare();
  }

  /** Where security events go (metrics and the security log); the output filter reports through it too. */
  public dev.portcullis.guard.GuardListener listener() {
    return runtime.listener();
  }

  @Override
  public String name() {
    return "inspect-input";
  }

  @Override
  public Future<Decision> apply(Exchange exchange) {
    GuardSettings settings = exchange.config().feature(GuardsSection.INSTANCE, GuardSettings.class);
    Api api = api(exchange.route());
    if (settings == null || api == null || exchange.body() == null) {
      return Decision.CONTINUE_NOW;
    }
    Principal principal = exchange.get(IdentifyStage.PRINCIPAL);
    GuardRuntime.Built built = runtime.profile(settings, principal == null ? null : principal.plan(),
        principal == null ? null : principal.tenant());
    RequestScope scope = new RequestScope(GuardRuntime.tenantKey(settings,
        principal == null ? null : principal.tenant(), processKey), new PseudonymVault(VAULT_CAPACITY));
    exchange.put(SCOPE, scope);
    exchange.put(PROFILE, built);
    GuardContext ctx = new GuardContext(exchange.route().id(),
        exchange.principalId() == null ? "anonymous" : exchange.principalId(), clock);
    ObjectNode body = exchange.body();
    Inspection inspection = new Inspection(built, scope, ctx, () -> codec(settings, exchange.model()));
    Buffer raw = exchange.rawBody();
    if (raw == null || raw.length() <= HeavyWork.LARGE_BODY_BYTES) {
      return Future.succeededFuture(decide(exchange, api, built, scope, inspection,
          RequestTexts.inspect(body, api, inspection)));
    }
    // a large body is scanned on the shared worker pool: one megabyte prompt must not hold up the event loop's other
    // requests. The body is this exchange's alone until the stage completes.
    Future<RequestTexts.Outcome> scanned = heavy.submit(() -> RequestTexts.inspect(body, api, inspection));
    if (scanned == null) {
      exchange.errorDetail("busy");
      return Future.succeededFuture(new Decision.Reject(503, ApiError.server("The gateway is busy with other large "
          + "requests; retry shortly.", "server_busy"), Map.of("Retry-After", "1")));
    }
    return scanned.map(outcome -> decide(exchange, api, built, scope, inspection, outcome));
  }

  private Decision decide(Exchange exchange, Api api, GuardRuntime.Built built, RequestScope scope,
      Inspection inspection, RequestTexts.Outcome outcome) {
    ObjectNode body = exchange.body();
    if (outcome.problem() != null) {
      exchange.errorDetail("guard_malformed_input");
      return new Decision.Reject(400, ApiError.invalidRequest(outcome.problem().message(),
          outcome.problem().param(), "invalid_input_item"));
    }
    String failed = inspection.failed;
    TreeSet<String> blocked = inspection.blocked;
    if (failed != null) {
      exchange.errorDetail("guard_failed");
      return new Decision.Reject(503, new ApiError("The request could not be inspected; retry later.", "server_error",
          null, "guard_unavailable"));
    }
    if (!blocked.isEmpty()) {
      exchange.errorDetail("guard_blocked");
      boolean injection = blocked.contains("PROMPT_INJECTION");
      return new Decision.Reject(400, new ApiError("The request was blocked by the gateway's content policy ("
          + String.join(", ", blocked) + ").", "invalid_request_error", null,
          injection ? "prompt_injection_detected" : "sensitive_data_blocked"));
    }
    if (built.profile().canary() != CanaryMode.OFF && (api == Api.CHAT_COMPLETIONS || api == Api.RESPONSES)) {
      String systemPrompt = PayloadTexts.systemPrompt(body, api);
      Canary canary = Canary.generate(random);
      if (api == Api.RESPONSES) {
        PayloadTexts.appendToInstructions(body, canary.instruction());
      } else {
        PayloadTexts.appendToSystemPrompt(body, canary.instruction());
      }
      exchange.put(CANARY, new CanaryGuard("canary", canary,
          systemPrompt.isBlank() ? null : new SystemPromptLeakDetector(systemPrompt, 6, 0.5),
          built.profile().canary() == CanaryMode.BLOCK, built.profile().canaryShadow(),
          built.profile().canaryFailure(), runtime.listener()));
    }
    boolean outputWatched = built.output() != null || exchange.get(CANARY) != null || scope.vault().size() > 0;
    if (outputWatched) {
      withoutLogprobs(body, api);
    }
    return Decision.CONTINUE;
  }

  /**
   * How this model's token ids are read: the operator's {@code token-encodings}, else the OpenAI encoding of the
   * model's name; null (the request is refused) for a model whose encoding is unknown.
   */
  private TokenCodec codec(GuardSettings settings, String model) {
    String named = model == null ? null : settings.tokenEncodings().get(model);
    Encoding encoding = (named != null ? encodings.encodingNamed(named) : encodings.knownEncoding(model))
        .orElse(null);
    if (encoding == null) {
      return null;
    }
    return new TokenCodec() {
      @Override
      public String decode(int[] ids) {
        IntArrayList list = new IntArrayList(ids.length);
        for (int id : ids) {
          list.add(id);
        }
        try {
          return encoding.decode(list);
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("unknown token id", e);
        }
      }

      @Override
      public int[] encode(String text) {
        return encoding.encodeOrdinary(text).toArray();
      }
    };
  }

  /** The guards of one request applied to each of its strings: PII/secret actions, and the injection score. */
  private static final class Inspection implements RequestTexts.Inspector {
    final GuardRuntime.Built built;
    final RequestScope scope;
    final GuardContext ctx;
    final Supplier<TokenCodec> codec;
    final TreeSet<String> blocked = new TreeSet<>();
    String failed;

    Inspection(GuardRuntime.Built built, RequestScope scope, GuardContext ctx, Supplier<TokenCodec> codec) {
      this.built = built;
      this.scope = scope;
      this.ctx = ctx;
      this.codec = codec;
    }

    @Override
    public TokenCodec tokenCodec() {
      // a profile that inspects no input has no reason to read token ids (or to refuse them)
      return built.input() == null && built.injection() == null ? TokenCodec.UNREAD : codec.get();
    }

    @Override
    public String redact(String text) {
      if (built.input() == null) {
        return text;
      }
      return switch (built.input().inspect(text, scope, ctx)) {
        case GuardOutcome.Allowed a -> a.text();
        case GuardOutcome.Blocked b -> {
          blocked.addAll(b.reasons());
          yield text;
        }
        case GuardOutcome.Failed f -> {
          if (f.policy() == FailurePolicy.FAIL_CLOSED) {
            failed = f.guard();
            yield text;
          }
          yield f.text();
        }
      };
    }

    @Override
    public void score(String text) {
      if (built.injection() == null) {
        return;
      }
      switch (built.injection().inspect(text, ctx)) {
        case GuardOutcome.Allowed a -> { }
        case GuardOutcome.Blocked b -> blocked.add("PROMPT_INJECTION");
        case GuardOutcome.Failed f -> {
          if (f.policy() == FailurePolicy.FAIL_CLOSED) {
            failed = f.guard();
          }
        }
      }
    }
  }

  /**
   * Removes the request parameters that ask for log probabilities. Their tokens spell out the answer a second time,
   * outside any text field the output guards rewrite, so a redacted value, a canary or a pseudonym's real value
   * could be read from them. Returns whether anything was removed.
   */
  static boolean withoutLogprobs(ObjectNode body, Api api) {
    boolean removed = body.remove("top_logprobs") != null;
    if (api != Api.RESPONSES) {
      removed |= body.remove("logprobs") != null;
    } else if (body.get("include") instanceof com.fasterxml.jackson.databind.node.ArrayNode include) {
      for (int i = include.size() - 1; i >= 0; i--) {
        if (include.get(i).asText().endsWith("logprobs")) {
          include.remove(i);
          removed = true;
        }
      }
    }
    return removed;
  }

  static Api api(Route route) {
    return switch (route) {
      case CHAT_COMPLETIONS -> Api.CHAT_COMPLETIONS;
      case COMPLETIONS -> Api.COMPLETIONS;
      case EMBEDDINGS -> Api.EMBEDDINGS;
      case RESPONSES -> Api.RESPONSES;
      case MODELS -> null;
    };
  }
}

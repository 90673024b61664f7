package dev.portcullis.limits;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.auth.IdentifyStage;
import dev.portcullis.config.Route;
import dev.portcullis.identity.Principal;
import dev.portcullis.limit.Lease;
import dev.portcullis.limit.LimitDecision;
import dev.portcullis.limit.LimitEngine;
import dev.portcullis.limit.LimitRequest;
import dev.portcullis.limit.RateLimitStatus;
import dev.portcullis.limit.Usage;
import dev.portcullis.limit.config.LimitsConfig;
import dev.portcullis.limit.config.Plan;
import dev.portcullis.limit.tokens.StreamUsage;
import dev.portcullis.limit.tokens.TokenEstimator;
import dev.portcullis.pipeline.ApiError;
import dev.portcullis.pipeline.Completion;
import dev.portcullis.pipeline.Decision;
import dev.portcullis.pipeline.Exchange;
import dev.portcullis.pipeline.HeavyWork;
import dev.portcullis.pipeline.Stage;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The limit stage. Checks the caller's plan (model allow-list, largest {@code max_tokens}, which is set on requests
 * that name none), estimates the prompt,
 * and asks the engine to admit the request against every limit that applies, reserving its tokens. An admitted
 * request's lease ends exactly once, when the exchange completes: settled with the actual usage if the request was
 * forwarded, released if not; then its usage (zero if never forwarded) is recorded in the usage ledger for its key,
 * principal and tenant. Streamed requests ask the upstream for usage in the last chunk.
 */
public final class LimitStage implements Stage {

  /** The IP of a client whose address cannot be told (an unreadable forwarding chain): one shared bucket. */
  static final String UNKNOWN_CLIENT = "unknown";


  /** The lease of an admitted request. */
  public static final Exchange.Key<Lease> LEASE = new Exchange.Key<>("limit-lease");
  /** True when the client itself asked for usage in the stream (so the usage chunk must reach it). */
  static final Exchange.Key<Boolean> CLIENT_WANTS_USAGE = new Exchange.Key<>("client-wants-usage");
  /** Output counted from the stream, when the upstream reports no usage. */
  static final Exchange.Key<long[]> STREAMED_OUTPUT = new Exchange.Key<>("streamed-output");

  private static final ObjectMapper JSON = new ObjectMapper();
  /** The fields that bound a request's output per choice, per route. */
  private static final Map<Route, List<String>> OUTPUT_FIELDS = Map.of(
      Route.CHAT_COMPLETIONS, List.of("max_completion_tokens", "max_tokens"),
      Route.COMPLETIONS, List.of("max_tokens"),
      Route.RESPONSES, List.of("max_output_tokens"),
      Route.EMBEDDINGS, List.of(),
      Route.MODELS, List.of());
  /**
   * The field set to the plan's maximum when a request names none: the API's current one (chat's
   * {@code max_completion_tokens}, which reasoning models require). Completions are left alone: that API's own
   * default is 16 tokens.
   */
  private static final Map<Route, String> INJECTED_FIELD = Map.of(
      Route.CHAT_COMPLETIONS, "max_completion_tokens",
      Route.RESPONSES, "max_output_tokens");

  private final LimitEngine engine;
  private final TokenEstimator estimator;
  private final LimitKeys keys;
  private final HeavyWork heavy;
  /** The newest limits configuration (the live snapshot's, not an exchange's, which may be older). */
  private final Supplier<LimitsConfig> current;
  /** Ledger ids: minted here, since request ids may come from clients and must not decide what is counted. */
  private final String usageIdPrefix = UUID.randomUUID() + "-";
  private final AtomicLong usageIds = new AtomicLong();

  /**
   * {@code current} gives the newest configuration's limits: the engine follows it, so an exchange that still holds
   * an older snapshot cannot switch the engine back to it after a reload.
   */
  public LimitStage(LimitEngine engine, TokenEstimator estimator, LimitKeys keys, HeavyWork heavy,
      Supplier<LimitsConfig> current) {
    this.engine = engine;
    this.estimator = estimator;
    this.keys = keys;
    this.heavy = heavy;
    this.current = current;
  }

  @Override
  public String name() {
    return "limit";
  }

  @Override
  public Future<Decision> apply(Exchange exchange) {
    LimitsConfig config = LimitsSection.config(exchange.config());
    if (config == null) {
      return Decision.CONTINUE_NOW;
    }
    LimitsConfig newest = current.get();
    if (newest != null && newest != engine.config()) {
      engine.update(newest);
    }
    Principal principal = exchange.get(IdentifyStage.PRINCIPAL);
    String planName = principal != null ? principal.plan() : config.defaultPlan();
    Plan plan = config.plan(planName).orElse(null);
    if (plan != null) {
      exchange.put(Exchange.ALLOWED_MODELS, plan::allowsModel);
    }
    if (!exchange.route().forwarded()) {
      return withStatus(exchange, request(exchange, principal, planName, 0, 0), Decision.CONTINUE);
    }
    ObjectNode body = exchange.body();
    // the plan's checks first: they are cheap, and a refused request costs no token counting
    LimitRequest unsized = request(exchange, principal, planName, 0, 0);
    if (plan != null && !plan.allowsModel(exchange.model())) {
      // the same answer as for a model that does not exist: a caller learns no model names beyond its plan's
      exchange.errorDetail("model_not_allowed");
      return withStatus(exchange, unsized, new Decision.Reject(404, ApiError.invalidRequest("The model '"
          + exchange.model() + "' does not exist or you do not have access to it.", "model", "model_not_found")));
    }
    Choices choices = Choices.of(exchange.route(), body);
    if (choices.refusal() != null) {
      return withStatus(exchange, unsized, choices.refusal());
    }
    // every field that can bound each choice's output must be a whole number, within the plan when there is one
    long perChoice = -1;
    for (String field : OUTPUT_FIELDS.get(exchange.route())) {
      JsonNode asked = body.get(field);
      if (asked == null || asked.isNull()) {
        continue;
      }
      if (!asked.isIntegralNumber() || !asked.canConvertToLong() || asked.asLong() < 1) {
        return withStatus(exchange, unsized, new Decision.Reject(400, new ApiError("'" + field
            + "' must be a positive whole number.", "invalid_request_error", field, "invalid_value")));
      }
      if (plan != null && asked.asLong() > plan.maxOutputTokens()) {
        return withStatus(exchange, unsized, new Decision.Reject(400, new ApiError("The requested maximum output"
            + " of " + asked.asLong() + " tokens exceeds your plan's limit of " + plan.maxOutputTokens() + ".",
            "invalid_request_error", field, "max_tokens_too_large")));
      }
      if (perChoice < 0) {
        perChoice = asked.asLong();
      }
    }
    String inject = INJECTED_FIELD.get(exchange.route());
    if (plan != null && perChoice < 0 && inject != null) {
      // a request that names no maximum gets the plan's
      body.put(inject, plan.maxOutputTokens());
    }
    // the reservation covers every choice the upstream generates (embeddings generate none)
    long output = OUTPUT_FIELDS.get(exchange.route()).isEmpty() ? 0
        : perChoice >= 0 ? perChoice * choices.count()
        : plan != null && choices.count() > 1 ? plan.defaultOutputTokens() * choices.count()
        : LimitRequest.PLAN_DEFAULT;
    Instant admittedAt = engine.now();
    Buffer raw = exchange.rawBody();
    if (raw == null || raw.length() <= HeavyWork.LARGE_BODY_BYTES) {
      LimitRequest asked = request(exchange, principal, planName, estimate(exchange.route(), body), output);
      return Stage.onContext(engine.acquire(asked)).map(d -> decide(exchange, asked, d, admittedAt));
    }
    // a large request: its request limits are charged before its tokens are counted, and they are counted off the
    // event loop, so that neither a flood of them nor one of them can hold up other requests
    return Stage.onContext(engine.acquireRequests(unsized)).compose(counted -> {
      counted.status().headers().forEach(exchange.responseHeaders()::set);
      if (counted instanceof LimitDecision.Refused refused) {
        return Future.succeededFuture(refusal(exchange, refused));
      }
      Future<Long> prompt = heavy.submit(() -> estimate(exchange.route(), body));
      if (prompt == null) {
        exchange.errorDetail("busy");
        return Future.succeededFuture(new Decision.Reject(503, ApiError.server("The gateway is busy with other large "
            + "requests; retry shortly.", "server_busy"), Map.of("Retry-After", "1")));
      }
      return prompt.compose(tokens -> {
        LimitRequest asked = request(exchange, principal, planName, tokens, output);
        return Stage.onContext(engine.acquireAllButRequests(asked)).map(d -> decide(exchange, asked, d, admittedAt));
      });
    });
  }

  private LimitRequest request(Exchange exchange, Principal principal, String planName, long promptTokens,
      long maxOutputTokens) {
    return LimitRequest.builder()
        .ip(exchange.clientAddress() == null ? UNKNOWN_CLIENT : exchange.clientAddress())
        .keyId(keys.of(principal))
        .principal(principal == null ? null : principal.tenant() + "/" + principal.subject())
        .tenant(principal == null ? null : principal.tenant())
        .route(exchange.route().id())
        .model(exchange.model())
        .plan(planName)
        .headers(headers(exchange))
        .promptTokens(promptTokens)
        .maxOutputTokens(maxOutputTokens < 0 ? LimitRequest.PLAN_DEFAULT : maxOutputTokens)
        .build();
  }

  /**
   * {@code decision}, with the caller's limit headers read without charging anything (requests that are not
   * forwarded, or refused by the plan, still tell the caller where it stands). A store that cannot answer leaves the
   * headers out; it never changes the decision.
   */
  private Future<Decision> withStatus(Exchange exchange, LimitRequest request, Decision decision) {
    Future<RateLimitStatus> status;
    try {
      status = Stage.onContext(engine.usage(request));
    } catch (RuntimeException e) {
      return Future.succeededFuture(decision);
    }
    return status.map(s -> {
      s.headers().forEach(exchange.responseHeaders()::set);
      return decision;
    }).otherwise(decision);
  }

  private Decision decide(Exchange exchange, LimitRequest request, LimitDecision decision, Instant admittedAt) {
    decision.status().headers().forEach((name, value) -> addHeader(exchange, name, value));
    return switch (decision) {
      case LimitDecision.Admitted admitted -> {
        Lease lease = admitted.lease();
        exchange.put(LEASE, lease);
        exchange.onComplete(c -> end(exchange, request, lease, c, admittedAt));
        if (exchange.stream()) {
          exchange.put(CLIENT_WANTS_USAGE, exchange.body().path("stream_options").path("include_usage")
              .asBoolean(false));
          StreamUsage.askForUsage(exchange.body());
        }
        yield Decision.CONTINUE;
      }
      case LimitDecision.Refused refused -> refusal(exchange, refused);
    };
  }

  private static Decision refusal(Exchange exchange, LimitDecision.Refused refused) {
    exchange.errorDetail(refused.limitName());
    return new Decision.Reject(refused.httpStatus(), error(refused), refused.headers());
  }

  /**
   * Ends the lease exactly once: settle what was used, or release what never went upstream; records the usage in the
   * day and month the request was admitted in (the ones its budget counters were charged for).
   */
  private void end(Exchange exchange, LimitRequest request, Lease lease, Completion completion, Instant admittedAt) {
    String usageId = usageIdPrefix + Long.toString(usageIds.incrementAndGet(), 36);
    if (!completion.forwarded()) {
      engine.release(lease);
      engine.record(usageId, request, new Usage(0, 0), admittedAt);
      return;
    }
    if (completion.upstreamRefused() && completion.inputTokens() < 0 && completion.outputTokens() < 0) {
      // an upstream error answer (429, 5xx, a 400 of its own) generated nothing: providers do not bill it, and
      // neither do we; budgets and the ledger see zero
      Usage none = new Usage(0, 0);
      engine.settle(lease, none);
      engine.record(usageId, request, none, admittedAt);
      return;
    }
    long input = completion.inputTokens() >= 0 ? completion.inputTokens() : lease.reservedPromptTokens();
    long output = completion.outputTokens();
    if (output < 0) {
      long[] streamed = exchange.get(STREAMED_OUTPUT);
      // no usage reported: what the stream carried, or (whole responses) the reservation, never nothing
      output = streamed != null ? streamed[0] : lease.reservedOutputTokens();
    }
    Usage used = new Usage(input, output);
    engine.settle(lease, used);
    engine.record(usageId, request, used, admittedAt);
  }

  /** The prompt's tokens, counted with the model's tokenizer. */
  private long estimate(Route route, ObjectNode body) {
    return switch (route) {
      case CHAT_COMPLETIONS -> estimator.estimate(TokenEstimator.Endpoint.CHAT_COMPLETIONS, body).promptTokens();
      case COMPLETIONS -> estimator.estimate(TokenEstimator.Endpoint.COMPLETIONS, body).promptTokens();
      case EMBEDDINGS -> estimator.estimate(TokenEstimator.Endpoint.EMBEDDINGS, body).promptTokens();
      // everything the model reads: input, instructions, tool definitions, the output format, a stored prompt's
      // variables
      case RESPONSES -> estimator.countText(body.path("model").asText(), text(body.get("input"))
          + text(body.get("instructions")) + text(body.get("tools")) + text(body.get("text"))
          + text(body.get("prompt")));
      case MODELS -> 0;
    };
  }

  private static String text(JsonNode node) {
    if (node == null || node.isNull()) {
      return "";
    }
    return node.isTextual() ? node.asText() : node.toString();
  }

  /**
   * Sets a limit header; the structured lists ({@code RateLimit-Policy}, {@code RateLimit}) of a large request's two
   * decisions are joined, so that the caller sees every policy that applied.
   */
  private static void addHeader(Exchange exchange, String name, String value) {
    String before = exchange.responseHeaders().get(name);
    boolean list = name.equalsIgnoreCase("ratelimit-policy") || name.equalsIgnoreCase("ratelimit");
    exchange.responseHeaders().set(name, list && before != null && !before.isEmpty() && !value.isEmpty()
        ? before + ", " + value : value);
  }

  private static Map<String, String> headers(Exchange exchange) {
    Map<String, String> out = new HashMap<>();
    exchange.requestHeaders().forEach(e -> out.putIfAbsent(e.getKey().toLowerCase(java.util.Locale.ROOT),
        e.getValue()));
    return out;
  }

  private static ApiError error(LimitDecision.Refused refused) {
    try {
      JsonNode e = JSON.readTree(refused.errorBody()).path("error");
      return new ApiError(e.path("message").asText(), e.path("type").asText(), null, e.path("code").asText(),
          e.hasNonNull("limit") ? e.get("limit").asText() : null);
    } catch (IOException ex) {
      return new ApiError("Rate limit reached.", "rate_limit_error", null, "rate_limit_exceeded");
    }
  }
}

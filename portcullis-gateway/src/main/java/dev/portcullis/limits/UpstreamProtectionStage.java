package dev.portcullis.limits;

import dev.portcullis.auth.IdentifyStage;
import dev.portcullis.config.GatewayConfig.Concurrency;
import dev.portcullis.config.GatewayConfig.UpstreamConfig;
import dev.portcullis.identity.Principal;
import dev.portcullis.limit.concurrency.AdaptiveConcurrencyLimiter;
import dev.portcullis.limit.concurrency.Admission;
import dev.portcullis.limit.concurrency.Permit;
import dev.portcullis.limit.config.LimitsConfig;
import dev.portcullis.limit.config.Plan;
import dev.portcullis.limit.config.PriorityClass;
import dev.portcullis.pipeline.ApiError;
import dev.portcullis.pipeline.Decision;
import dev.portcullis.pipeline.Exchange;
import dev.portcullis.pipeline.Stage;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Protects upstreams that configure {@code concurrency}: each has an adaptive concurrency limit learning from its
 * time to first byte. Low-priority plans are shed first, critical plans never; shed requests get 503 with
 * {@code Retry-After}. A permit ends exactly once: success or dropped when the upstream answers (dropped for
 * failures, 429 and 503), ignored when the request never reached it.
 */
public final class UpstreamProtectionStage implements Stage {

  private static final ApiError SHED = new ApiError("The model's upstream is at capacity; retry shortly.",
      "server_error", null, "upstream_overloaded");

  private final ScheduledExecutorService scheduler;
  private final MeterRegistry registry;
  /** One limiter per upstream definition; bounded by the configuration's upstreams (old ones are replaced). */
  private final Map<String, Holder> limiters = new ConcurrentHashMap<>();

  private record Holder(Concurrency settings, AdaptiveConcurrencyLimiter limiter) {}

  public UpstreamProtectionStage(ScheduledExecutorService scheduler, MeterRegistry registry) {
    this.scheduler = scheduler;
    this.registry = registry;
  }

  @Override
  public String name() {
    return "upstream-protection";
  }

  @Override
  public Future<Decision> apply(Exchange exchange) {
    UpstreamConfig upstream = exchange.upstream();
    if (upstream == null || upstream.concurrency() == null) {
      return Decision.CONTINUE_NOW;
    }
    AdaptiveConcurrencyLimiter limiter = limiter(upstream);
    return Stage.onContext(limiter.acquire(priority(exchange))).map(a -> decide(exchange, a));
  }

  private Decision decide(Exchange exchange, Admission admission) {
    return switch (admission) {
      case Admission.Granted granted -> {
        Permit permit = granted.permit();
        exchange.onUpstreamAnswer(status -> {
          if (status < 0 || status == 429 || status == 503) {
            permit.dropped();
          } else {
            permit.success();
          }
        });
        exchange.onComplete(c -> permit.ignore());
        yield Decision.CONTINUE;
      }
      case Admission.Shed shed -> {
        exchange.errorDetail("shed_" + shed.why().name().toLowerCase(java.util.Locale.ROOT));
        yield new Decision.Reject(503, SHED, Map.of("retry-after", "1"));
      }
    };
  }

  private AdaptiveConcurrencyLimiter limiter(UpstreamConfig upstream) {
    Holder h = limiters.get(upstream.name());
    if (h == null || !h.settings().equals(upstream.concurrency())) {
      h = limiters.compute(upstream.name(), (name, old) -> old != null && old.settings().equals(upstream.concurrency())
          ? old : create(upstream));
    }
    return h.limiter();
  }

  private Holder create(UpstreamConfig upstream) {
    Concurrency c = upstream.concurrency();
    AdaptiveConcurrencyLimiter limiter = AdaptiveConcurrencyLimiter.builder(scheduler)
        .limit(Gradient2Limit.newBuilder().initialLimit(c.initial()).minLimit(c.min()).maxConcurrency(c.max()).build())
        .maxWaiting(c.maxWaiting()).maxWait(c.maxWait()).build();
    limiter.bindTo(registry, upstream.name());
    return new Holder(c, limiter);
  }

  private static PriorityClass priority(Exchange exchange) {
    LimitsConfig limits = LimitsSection.config(exchange.config());
    if (limits == null) {
      return PriorityClass.NORMAL;
    }
    Principal principal = exchange.get(IdentifyStage.PRINCIPAL);
    String plan = principal == null ? limits.defaultPlan() : principal.plan();
    return limits.plan(plan).map(Plan::priority).orElse(PriorityClass.NORMAL);
  }
}

package dev.portcullis.pipeline;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The request path: the identify stages, which see the headers and the raw body only, so that callers without a
 * valid credential learn nothing from how their body or model would be judged; then, once the body is parsed and
 * the model routed, the other stages in order until one rejects; then the response filters. Stages that decide
 * synchronously cost one call each (no callbacks, no allocation). A stage that throws, or whose future fails, fails
 * the request closed with a 500 and is reported to {@code failures} (stage name, cause). Each stage's time, from
 * its call to its decision, is recorded in {@code portcullis_stage_seconds{stage, position}}: the position shows the
 * order.
 */
public final class Pipeline {

  /** The decision for an exchange whose client left mid-pipeline (nginx's 499); no one reads its body. */
  private static final Future<Decision> CLIENT_GONE = Future.succeededFuture(new Decision.Reject(499,
      ApiError.invalidRequest("The client closed the request.", null, "client_closed")));

  /** Bucket bounds of the stage timers: a stage's budget is microseconds, a store round trip milliseconds. */
  private static final Duration[] STAGE_BUCKETS = {Duration.ofNanos(10_000), Duration.ofNanos(50_000),
      Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
      Duration.ofMillis(5), Duration.ofMillis(25), Duration.ofMillis(100), Duration.ofSeconds(1)};

  private final List<Stage> identify;
  private final List<Stage> stages;
  private final Timer[] identifyTimers;
  private final Timer[] stageTimers;
  private final List<ResponseFilterFactory> filters;
  private final BiConsumer<String, Throwable> failures;

  public Pipeline(List<Stage> identify, List<Stage> stages, List<ResponseFilterFactory> filters,
      BiConsumer<String, Throwable> failures, MeterRegistry registry) {
    this.identify = List.copyOf(identify);
    this.stages = List.copyOf(stages);
    this.filters = List.copyOf(filters);
    this.failures = failures;
    this.identifyTimers = timers(this.identify, 0, registry);
    this.stageTimers = timers(this.stages, this.identify.size(), registry);
  }

  private static Timer[] timers(List<Stage> stages, int offset, MeterRegistry registry) {
    Timer[] timers = new Timer[stages.size()];
    for (int i = 0; i < timers.length; i++) {
      timers[i] = Timer.builder("portcullis.stage").description("time from a stage's call to its decision")
          .tag("stage", stages.get(i).name()).tag("position", Integer.toString(offset + i + 1))
          .serviceLevelObjectives(STAGE_BUCKETS).register(registry);
    }
    return timers;
  }

  /**
   * Runs the identify stages: the exchange has its headers and {@link Exchange#rawBody()}, not yet a parsed body,
   * model or upstream. The future never fails.
   */
  public Future<Decision> identify(Exchange exchange) {
    return from(identify, identifyTimers, 0, exchange);
  }

  /** Runs the other stages, after {@link #identify}; the future never fails (failures become a 500 rejection). */
  public Future<Decision> run(Exchange exchange) {
    return from(stages, stageTimers, 0, exchange);
  }

  private Future<Decision> from(List<Stage> stages, Timer[] timers, int index, Exchange exchange) {
    for (int i = index; i < stages.size(); i++) {
      if (exchange.completed()) {
        // the client went away while an earlier stage waited: take no further permits for nobody
        return CLIENT_GONE;
      }
      Stage stage = stages.get(i);
      Timer timer = timers[i];
      long started = System.nanoTime();
      Future<Decision> f;
      try {
        f = stage.apply(exchange);
      } catch (RuntimeException | Error e) {
        timer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        return Future.succeededFuture(failed(stage, exchange, e));
      }
      if (f == null) {
        return Future.succeededFuture(failed(stage, exchange, new NullPointerException("stage returned null")));
      }
      if (f.isComplete()) {
        timer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        if (f.failed()) {
          return Future.succeededFuture(failed(stage, exchange, f.cause()));
        }
        Decision d = f.result();
        if (d instanceof Decision.Reject) {
          return f;
        }
        if (d == null) {
          return Future.succeededFuture(failed(stage, exchange, new NullPointerException("null decision")));
        }
        continue;
      }
      int next = i + 1;
      Promise<Decision> promise = Promise.promise();
      f.onComplete(ar -> {
        timer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        if (ar.failed()) {
          promise.complete(failed(stage, exchange, ar.cause()));
        } else if (ar.result() instanceof Decision.Reject || ar.result() == null) {
          promise.complete(ar.result() == null
              ? failed(stage, exchange, new NullPointerException("null decision")) : ar.result());
        } else {
          from(stages, timers, next, exchange).onComplete(promise);
        }
      });
      return promise.future();
    }
    return Decision.CONTINUE_NOW;
  }

  private Decision failed(Stage stage, Exchange exchange, Throwable cause) {
    failures.accept(stage.name(), cause);
    return new Decision.Reject(500, ApiError.server(
        "The gateway could not process this request (request id " + exchange.requestId() + ").",
        "internal_error"));
  }

  /** The response filter for this exchange: pass-through unless some factory has work to do. */
  public ResponseFilter responseFilter(Exchange exchange) {
    if (filters.isEmpty()) {
      return ResponseFilter.PASS_THROUGH;
    }
    List<ResponseFilter> active = new ArrayList<>(filters.size());
    for (ResponseFilterFactory factory : filters) {
      ResponseFilter f = factory.create(exchange);
      if (f != null && f != ResponseFilter.PASS_THROUGH) {
        active.add(f);
      }
    }
    return switch (active.size()) {
      case 0 -> ResponseFilter.PASS_THROUGH;
      case 1 -> active.getFirst();
      default -> new ChainedResponseFilter(active);
    };
  }
}

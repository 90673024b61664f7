package dev.portcullis.observe;

import dev.portcullis.config.Route;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's meters. Label values are bounded: routes and statuses are finite, upstream names and models come
 * from configuration (a model that is not configured is recorded as {@code other}), and there is no label per
 * caller.
 */
public final class GatewayMetrics {

  /** Cap on distinct model label values; beyond it new models are recorded as {@code other}. */
  static final int MAX_MODELS = 200;

  private final PrometheusMeterRegistry registry;
  private final AtomicInteger streamsInFlight = new AtomicInteger();
  private final AtomicInteger requestsInFlight = new AtomicInteger();
  private final ConcurrentMap<String, Counter> requestCounters = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Timer> durationTimers = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Timer> upstreamTimers = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> tokenCounters = new ConcurrentHashMap<>();
  /** Counters with one or two bounded tags, built once per tag values. */
  private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
  private volatile Set<String> knownModels = Set.of();

  public GatewayMetrics() {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(MeterFilter.maximumAllowableTags("portcullis.tokens", "model", MAX_MODELS,
        MeterFilter.deny()));
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    Gauge.builder("portcullis.streams.in.flight", streamsInFlight, AtomicInteger::get)
        .description("Streamed responses being sent now").register(registry);
    Gauge.builder("portcullis.requests.in.flight", requestsInFlight, AtomicInteger::get)
        .description("Requests being handled now").register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  /** Models that may appear as label values; others are recorded as {@code other}. */
  public void knownModels(Set<String> models) {
    this.knownModels = Set.copyOf(models);
  }

  public void requestStarted() {
    requestsInFlight.incrementAndGet();
  }

  public void requestEnded(Route route, int status, long totalNanos) {
    requestsInFlight.decrementAndGet();
    String routeId = route == null ? "unknown" : route.id();
    String key = routeId + '|' + status;
    requestCounters.computeIfAbsent(key, k -> Counter.builder("portcullis.requests")
        .description("Requests by route and response status")
        .tag("route", routeId).tag("status", Integer.toString(status)).register(registry)).increment();
    durationTimers.computeIfAbsent(routeId, r -> Timer.builder("portcullis.request.duration")
        .description("Time from request start to the last response byte")
        .tag("route", r).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(10)).register(registry))
        .record(totalNanos, TimeUnit.NANOSECONDS);
  }

  /** Time from sending upstream to the upstream's response headers. */
  public void upstreamResponded(String upstream, long nanos) {
    upstreamTimers.computeIfAbsent(upstream, u -> Timer.builder("portcullis.upstream.duration")
        .description("Time to the upstream's response headers")
        .tag("upstream", u).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(10)).register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  public void upstreamError(String upstream, UpstreamErrorKind kind) {
    counter("portcullis.upstream.errors", "Upstream failures by kind", "upstream", upstream, "kind", kind.label())
        .increment();
  }

  private Counter counter(String name, String description, String tag, String value) {
    return counters.computeIfAbsent(name + '|' + value, k -> Counter.builder(name).description(description)
        .tag(tag, value).register(registry));
  }

  private Counter counter(String name, String description, String tag1, String value1, String tag2,
      String value2) {
    return counters.computeIfAbsent(name + '|' + value1 + '|' + value2, k -> Counter.builder(name)
        .description(description).tag(tag1, value1).tag(tag2, value2).register(registry));
  }

  public void streamStarted() {
    streamsInFlight.incrementAndGet();
  }

  public void streamEnded() {
    streamsInFlight.decrementAndGet();
  }

  public void tokens(String model, long input, long output) {
    String m = model != null && knownModels.contains(model) ? model : "other";
    if (input > 0) {
      tokenCounter(m, "input").increment(input);
    }
    if (output > 0) {
      tokenCounter(m, "output").increment(output);
    }
  }

  private Counter tokenCounter(String model, String direction) {
    return tokenCounters.computeIfAbsent(model + '|' + direction, k -> Counter.builder("portcullis.tokens")
        .description("LLM tokens reported by upstreams").baseUnit("tokens")
        .tag("model", model).tag("direction", direction).register(registry));
  }

  public void stageFailed(String stage) {
    counter("portcullis.stage.failures", "Stages that threw; the request failed closed", "stage", stage)
        .increment();
  }

  public void configReload(String result) {
    counter("portcullis.config.reloads", "Configuration reloads by result", "result", result).increment();
  }

  /** Client-side transport rejections (413, 408, 431…). */
  public void transportRejected(String reason) {
    counter("portcullis.transport.rejections", "Requests refused before routing", "reason", reason).increment();
  }

  /** A client reset its stream or closed its connection before its exchange ended. */
  public void clientDisconnected(boolean http2) {
    counter("portcullis.client.disconnects", "Requests whose client reset the stream or closed the connection "
        + "before the exchange ended", "protocol", http2 ? "h2" : "http/1.1").increment();
  }

  public void streamOutcome(String outcome) {
    counter("portcullis.streams", "Streamed responses by how they ended", "outcome", outcome).increment();
  }
}

package dev.portcullis.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.app.Portcullis;
import dev.portcullis.auth.IdentifyStage;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.LiveConfig;
import dev.portcullis.identity.CredentialType;
import dev.portcullis.identity.Principal;
import dev.portcullis.limit.LimitEngine;
import dev.portcullis.limit.budget.CalendarPeriod;
import dev.portcullis.limit.budget.UsageLedger;
import dev.portcullis.limit.budget.UsageLedgers;
import dev.portcullis.limit.config.Algorithm;
import dev.portcullis.limit.store.AcquireRequest;
import dev.portcullis.limit.store.AcquireResult;
import dev.portcullis.limit.store.LimitStore;
import dev.portcullis.limit.store.LimitStores;
import dev.portcullis.limit.tokens.TokenEstimator;
import dev.portcullis.observe.GatewayMetrics;
import dev.portcullis.pipeline.Decision;
import dev.portcullis.pipeline.Exchange;
import dev.portcullis.pipeline.HeavyWork;
import dev.portcullis.pipeline.Stage;
import dev.portcullis.server.Gateway;
import dev.portcullis.testkit.SimulatedUpstream;
import dev.portcullis.testkit.SimulatorOptions;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 10 item 3: a client that goes away at any point of the exchange, over HTTP/1.1 (socket closed) or HTTP/2
 * (RST_STREAM), leaves no concurrency slot held and no admitted request unrecorded. The key's plan allows one
 * request in flight, held for ten minutes when a request is never settled: after each disconnect the next request
 * must be admitted within seconds, and the usage ledger must have counted every admitted request.
 */
class DisconnectSettlementTest {

  /** Where the client goes away. */
  enum Point { BEFORE_BODY_END, DURING_IDENTIFY, DURING_LIMIT, WAITING_FOR_UPSTREAM, MID_STREAM }

  static final String KEY = "key_disconnect";
  static Vertx upstreamVertx;
  static SimulatedUpstream upstream;
  static Vertx vertx;
  static Gateway gateway;
  static HttpClient h2;
  static final GatedStore store = new GatedStore(LimitStores.memory(Clock.systemUTC(), 10_000, 10_000));
  static final UsageLedger ledger = UsageLedgers.memory();
  static final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();
  static GatewayMetrics metrics;

  @BeforeAll
  static void start() throws Exception {
    upstreamVertx = Vertx.vertx();
    // streams last about ten seconds: long enough to leave in the middle
    upstream = SimulatedUpstream.start(upstreamVertx, SimulatorOptions.defaults().withReplyTokens(200)
        .withRate(20, Duration.ZERO)).await();
    String yaml = """
        server: {event-loops: 1, listeners: [{name: public, host: 127.0.0.1, port: 0, h2c: true}]}
        admin: {host: 127.0.0.1, port: 0}
        upstreams: [{name: sim, base-url: "%s", models: [sim-small, sim-stall]}]
        identity: {mode: none}
        limits:
          default-plan: basic
          plans:
            basic:
              max-output-tokens: 500
              default-output-tokens: 50
              limits:
                - {name: one-at-a-time, per: [key], unit: concurrency, limit: 1, period: 10m}
        """.formatted(upstream.baseUrl());
    LiveConfig live = LiveConfig.fixed(ConfigLoader.parse(yaml, Map.<String, String>of()::get,
        Files.createTempDirectory("disconnect"), Portcullis.SECTIONS));
    LimitEngine engine = new LimitEngine(store, Clock.systemUTC(), LimitsSection.config(live.current()), ledger);
    vertx = Gateway.createVertx(live.current());
    metrics = new GatewayMetrics();
    gateway = Gateway.builder(live).metrics(metrics)
        .identify(new CallerStage())
        .stage(new LimitStage(engine, new TokenEstimator(), new LimitKeys(null), new HeavyWork(vertx, 1, 4),
            () -> LimitsSection.config(live.current())))
        .start(vertx).await();
    h2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
  }

  @AfterAll
  static void stop() {
    gateway.stop().await();
    vertx.close().await();
    upstreamVertx.close().await();
    poller.shutdownNow();
  }

  @ParameterizedTest
  @EnumSource(Point.class)
  void http1ClientThatClosesItsSocketFreesItsSlotAndIsRecorded(Point point) throws Exception {
    long recorded = recordedRequests();
    boolean admitted = point != Point.BEFORE_BODY_END && point != Point.DURING_IDENTIFY;
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      byte[] body = body(point).getBytes(StandardCharsets.UTF_8);
      String head = "POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
          + "content-length: " + body.length + "\r\n" + gate(point) + "\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      if (point == Point.BEFORE_BODY_END) {
        out.write(body, 0, body.length / 2);
        out.flush();
        awaitGatewayRead();
      } else {
        out.write(body);
        out.flush();
        reachedPoint(point, socket.getInputStream());
      }
    }
    assertSlotFreed();
    awaitRecorded(recorded + (admitted ? 1 : 0));
  }

  @ParameterizedTest
  @EnumSource(Point.class)
  void http2ClientThatResetsItsStreamFreesItsSlotAndIsRecorded(Point point) throws Exception {
    long recorded = recordedRequests();
    boolean admitted = point != Point.BEFORE_BODY_END && point != Point.DURING_IDENTIFY;
    byte[] body = body(point).getBytes(StandardCharsets.UTF_8);
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
        .setPort(gateway.port()).setURI("/v1/chat/completions").putHeader("content-type", "application/json")
        .putHeader("content-length", Integer.toString(body.length));
    String gate = gate(point);
    if (!gate.isEmpty()) {
      options.putHeader("x-test-gate", gate.substring(gate.indexOf(':') + 2, gate.length() - 2));
    }
    HttpClientRequest request = h2.request(options).await();
    CountDownLatch firstEvent = new CountDownLatch(1);
    request.response().onSuccess(res -> res.handler(chunk -> firstEvent.countDown()));
    if (point == Point.BEFORE_BODY_END) {
      request.write(Buffer.buffer(body).slice(0, body.length / 2)).await();
      awaitGatewayRead();
    } else {
      request.end(Buffer.buffer(body)).await();
      switch (point) {
        case DURING_IDENTIFY -> assertThat(CallerStage.entered.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        case DURING_LIMIT -> assertThat(store.entered.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        case WAITING_FOR_UPSTREAM -> awaitUpstreamReceived();
        case MID_STREAM -> assertThat(firstEvent.await(10, TimeUnit.SECONDS)).isTrue();
        default -> { }
      }
    }
    request.reset();
    assertSlotFreed();
    awaitRecorded(recorded + (admitted ? 1 : 0));
  }

  static String body(Point point) {
    String model = point == Point.WAITING_FOR_UPSTREAM ? "sim-stall" : "sim-small";
    return "{\"model\":\"" + model + "\",\"stream\":" + (point == Point.MID_STREAM)
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";
  }

  static String gate(Point point) {
    return switch (point) {
      case DURING_IDENTIFY -> "x-test-gate: identify\r\n";
      case DURING_LIMIT -> "x-test-gate: limit\r\n";
      default -> "";
    };
  }

  /** Waits until the request is where the client is to leave it. */
  static void reachedPoint(Point point, InputStream in) throws Exception {
    switch (point) {
      case DURING_IDENTIFY -> assertThat(CallerStage.entered.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
      case DURING_LIMIT -> assertThat(store.entered.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
      case WAITING_FOR_UPSTREAM -> awaitUpstreamReceived();
      case MID_STREAM -> {
        StringBuilder seen = new StringBuilder();
        while (!seen.toString().contains("data:")) {
          int b = in.read();
          assertThat(b).as("stream ended before its first event").isNotNegative();
          seen.append((char) b);
        }
      }
      default -> { }
    }
  }

  static int upstreamSeen;

  static void awaitUpstreamReceived() {
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> upstream.received().size() > upstreamSeen);
    upstreamSeen = upstream.received().size();
  }

  /** The gateway has read the partial body (nothing to observe there: a short pause lets the bytes arrive). */
  static void awaitGatewayRead() throws InterruptedException {
    Thread.sleep(200);
  }

  /** Probe requests admitted so far (each is recorded in the ledger too). */
  static final AtomicInteger probesAdmitted = new AtomicInteger();

  /** The next request on the same key is admitted: its one slot was given back. */
  static void assertSlotFreed() {
    Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> {
      var res = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + gateway.port() + "/v1/chat/completions"))
          .header("content-type", "application/json")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
              "{\"model\":\"sim-small\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
          .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      if (res.statusCode() == 200) {
        probesAdmitted.incrementAndGet();
        return true;
      }
      return false;
    });
  }

  static long recordedRequests() {
    return ledger.totals(new UsageLedger.Subject(UsageLedger.Kind.KEY, KEY),
        CalendarPeriod.of(Algorithm.MONTHLY, java.time.Instant.now(), ZoneOffset.UTC)).toCompletableFuture().join()
        .requests() - probesAdmitted.get();
  }

  /** The ledger holds {@code expected} requests besides the probes. */
  static void awaitRecorded(long expected) {
    Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(recordedRequests()).isEqualTo(expected));
  }

  /** Identifies every caller as one API key; holds a request marked {@code x-test-gate: identify} until it ends. */
  static final class CallerStage implements Stage {
    static final java.util.concurrent.Semaphore entered = new java.util.concurrent.Semaphore(0);
    static final Principal CALLER = new Principal("acme", "app", "basic", Set.of(), KEY, CredentialType.API_KEY,
        Map.of());

    @Override
    public Future<Decision> apply(Exchange exchange) {
      exchange.put(IdentifyStage.PRINCIPAL, CALLER);
      String gate = exchange.requestHeaders().get("x-test-gate");
      if ("limit".equals(gate)) {
        GateLimit.armed = true;
      }
      if (!"identify".equals(gate)) {
        return Decision.CONTINUE_NOW;
      }
      entered.release();
      Promise<Decision> later = Promise.promise();
      Vertx owner = io.vertx.core.Vertx.currentContext().owner();
      owner.setPeriodic(10, id -> {
        if (exchange.completed()) {
          owner.cancelTimer(id);
          later.complete(Decision.CONTINUE);
        }
      });
      return later.future();
    }
  }

  /** The in-process store, except that a request marked for it answers only after the gateway saw the client go. */
  static final class GatedStore implements LimitStore {
    final LimitStore delegate;
    final java.util.concurrent.Semaphore entered = new java.util.concurrent.Semaphore(0);

    GatedStore(LimitStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public CompletionStage<AcquireResult> acquire(AcquireRequest request) {
      CompletionStage<AcquireResult> answer = delegate.acquire(request);
      if (!GateLimit.armed) {
        return answer;
      }
      GateLimit.armed = false;
      entered.release();
      long ended = answers();
      CompletableFuture<AcquireResult> later = new CompletableFuture<>();
      BooleanSupplier clientGone = () -> answers() > ended;
      var polling = poller.scheduleWithFixedDelay(() -> {
        if (clientGone.getAsBoolean() && !later.isDone()) {
          answer.whenComplete((r, e) -> later.complete(r));
        }
      }, 10, 10, TimeUnit.MILLISECONDS);
      later.whenComplete((r, e) -> polling.cancel(false));
      return later;
    }

    /** Every request that has ended, whatever its status. */
    static long answers() {
      return (long) metrics.registry().find("portcullis.requests").counters().stream()
          .mapToDouble(Counter::count).sum();
    }

    @Override
    public CompletionStage<Boolean> settle(String reservationId, long actualTokens, long actualSpendMicros) {
      return delegate.settle(reservationId, actualTokens, actualSpendMicros);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  /** Arms the store's gate for the next acquisition; set by a stage that sees {@code x-test-gate: limit}. */
  static final class GateLimit {
    static volatile boolean armed;
  }
}

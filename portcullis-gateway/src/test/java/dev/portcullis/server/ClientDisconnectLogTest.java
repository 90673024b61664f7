package dev.portcullis.server;

import static dev.portcullis.server.GatewayHarness.chat;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 item 25: a client that resets its stream or drops its connection is expected behaviour: it is counted in
 * {@code portcullis_client_disconnects_total} and logged at debug, never as an error with a stack trace.
 */
class ClientDisconnectLogTest {

  static GatewayHarness h;
  static LogCapture logs;
  static final Vertx client = Vertx.vertx();
  static HttpClient http2;

  @BeforeAll
  static void start() {
    logs = new LogCapture();
    h = GatewayHarness.builder().start();
    http2 = client.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false).setDefaultHost("127.0.0.1").setDefaultPort(h.gateway.port()));
  }

  @AfterAll
  static void stop() {
    h.close();
    client.close().await();
    logs.close();
  }

  @BeforeEach
  void clear() {
    logs.clear();
  }

  static double disconnects() {
    return disconnects(h);
  }

  static int received() {
    return h.upstream.received().size();
  }

  @Test
  void h2ResetWhileTheUpstreamWorksIsCountedNotLoggedAsAnError() {
    double before = disconnects();
    int seen = received();
    HttpClientRequest req = http2.request(new RequestOptions().setMethod(HttpMethod.POST)
        .setURI("/v1/chat/completions").putHeader("content-type", "application/json")).await();
    req.exceptionHandler(e -> { });
    req.send(Buffer.buffer(chat("sim-stall", "reset me", false)));
    Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> received() > seen);
    req.reset();
    Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> disconnects() > before);
    assertThat(logs.errorsAndStackTraces()).isEmpty();
  }

  @Test
  void h2ResetMidStreamIsCountedNotLoggedAsAnError() {
    double before = disconnects();
    HttpClientRequest req = http2.request(new RequestOptions().setMethod(HttpMethod.POST)
        .setURI("/v1/chat/completions").putHeader("content-type", "application/json")).await();
    req.exceptionHandler(e -> { });
    var res = req.send(Buffer.buffer(chat("sim-stall-stream", "reset mid-stream", true))).await();
    res.exceptionHandler(e -> { });
    assertThat(res.statusCode()).isEqualTo(200);
    req.reset();
    Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> disconnects() > before);
    assertThat(logs.errorsAndStackTraces()).isEmpty();
  }

  @Test
  void http1CloseMidStreamIsCountedNotLoggedAsAnError() throws Exception {
    double before = disconnects();
    String body = chat("sim-stall-stream", "close mid-stream", true);
    try (Socket socket = new Socket("127.0.0.1", h.gateway.port())) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
          .getBytes(StandardCharsets.UTF_8));
      assertThat(socket.getInputStream().read()).isNotNegative();
    }
    Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> disconnects() > before);
    assertThat(logs.errorsAndStackTraces()).isEmpty();
  }

  @Test
  void h2ResetBeforeTheBodyEndsIsCountedNotLoggedAsAnError() {
    double before = disconnects();
    HttpClientRequest req = http2.request(new RequestOptions().setMethod(HttpMethod.POST)
        .setURI("/v1/chat/completions").putHeader("content-type", "application/json")).await();
    req.exceptionHandler(e -> { });
    req.setChunked(true).write("{\"model\":").await();
    req.reset();
    Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> disconnects() > before);
    assertThat(logs.errorsAndStackTraces()).isEmpty();
  }

  @Test
  void http1CloseWhileTheUpstreamWorksIsCountedNotLoggedAsAnError() throws Exception {
    double before = disconnects();
    int seen = received();
    String body = chat("sim-stall", "close me", false);
    try (Socket socket = new Socket("127.0.0.1", h.gateway.port())) {
      socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
          .getBytes(StandardCharsets.UTF_8));
      Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> received() > seen);
    }
    Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> disconnects() > before);
    assertThat(logs.errorsAndStackTraces()).isEmpty();
  }

  @Test
  void clientGoneWhileItsRequestWaitsForAnUpstreamConnectionLogsNoError() throws Exception {
    try (GatewayHarness one = GatewayHarness.builder().upstreamYaml("max-connections: 1").start()) {
      int seen = one.upstream.received().size();
      String holder = chat("sim-stall", "holds the only connection", false);
      String waiter = chat("sim-small", "waits for it", false);
      try (Socket a = new Socket("127.0.0.1", one.gateway.port())) {
        a.getOutputStream().write(raw(holder));
        Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> one.upstream.received().size() > seen);
        try (Socket b = new Socket("127.0.0.1", one.gateway.port())) {
          b.getOutputStream().write(raw(waiter));
          Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> one.gateway.metrics().registry()
              .find("portcullis.requests.in.flight").gauge().value() >= 2);
        }
        // b is gone while its request waits in the pool's queue; a leaving frees the connection for it
        Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> disconnects(one) >= 1);
      }
      Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> disconnects(one) >= 2);
      Awaitility.await().during(1, TimeUnit.SECONDS).atMost(3, TimeUnit.SECONDS)
          .until(() -> logs.errorsAndStackTraces().isEmpty());
    }
  }

  static double disconnects(GatewayHarness gateway) {
    return gateway.gateway.metrics().registry().find("portcullis.client.disconnects").counters().stream()
        .mapToDouble(c -> c.count()).sum();
  }

  static byte[] raw(String body) {
    return ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8);
  }
}

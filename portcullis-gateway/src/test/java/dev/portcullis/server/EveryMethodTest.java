package dev.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.pipeline.PublicEndpoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 10 item 9: every method, on every kind of path, over HTTP/1.1 and HTTP/2, gets an answer, and none logs an
 * error or a stack trace (h2 {@code CONNECT} used to throw a NullPointerException per stream and never answer).
 */
class EveryMethodTest {

  static final List<HttpMethod> METHODS = List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PUT,
      HttpMethod.DELETE, HttpMethod.PATCH, HttpMethod.OPTIONS, HttpMethod.TRACE, HttpMethod.CONNECT,
      HttpMethod.valueOf("PURGE"));
  static final List<String> PATHS = List.of("/v1/chat/completions", "/v1/models", "/test/echo", "/nope");

  static GatewayHarness h;
  static LogCapture logs;
  static final Vertx client = Vertx.vertx();

  @BeforeAll
  static void start() {
    logs = new LogCapture();
    h = GatewayHarness.builder().endpoint(new PublicEndpoint() {
      @Override
      public String method() {
        return "POST";
      }

      @Override
      public String path() {
        return "/test/echo";
      }

      @Override
      public String name() {
        return "echo";
      }

      @Override
      public Future<Response> handle(Request request) {
        return Future.succeededFuture(Response.json(200, "{}"));
      }
    }).start();
  }

  @AfterAll
  static void stop() {
    h.close();
    client.close().await();
    logs.close();
  }

  enum Protocol { HTTP_1_1, HTTP_2 }

  static HttpClient client(Protocol protocol) {
    HttpClientOptions options = new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(h.gateway.port());
    if (protocol == Protocol.HTTP_2) {
      options.setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false);
    }
    return client.createHttpClient(options);
  }

  static int expected(HttpMethod method, String path) {
    return switch (path) {
      case "/v1/chat/completions" -> method == HttpMethod.POST ? 400 : 405;
      case "/v1/models" -> method == HttpMethod.GET ? 200 : 405;
      case "/test/echo" -> method == HttpMethod.POST ? 200 : 405;
      default -> method == HttpMethod.GET || method == HttpMethod.POST ? 404 : 405;
    };
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void everyMethodOnEveryPathGetsAnAnswerAndLogsNoError(Protocol protocol) {
    logs.clear();
    HttpClient http = client(protocol);
    List<String> problems = new ArrayList<>();
    for (String path : PATHS) {
      for (HttpMethod method : METHODS) {
        RequestOptions options = new RequestOptions().setMethod(method).setURI(path)
            .setTimeout(5_000);
        if (method == HttpMethod.CONNECT) {
          options.setURI(path).putHeader("host", "127.0.0.1:" + h.gateway.port());
        }
        try {
          HttpClientResponse res = http.request(options)
              .compose(req -> {
                // the gateway closes the connection after refusing CONNECT: expected here
                req.exceptionHandler(e -> { });
                return method == HttpMethod.CONNECT ? req.connect()
                    : method == HttpMethod.GET || method == HttpMethod.HEAD ? req.send()
                    : req.send(Buffer.buffer("{}"));
              })
              .await(10, TimeUnit.SECONDS);
          int want = expected(method, path);
          if (res.statusCode() != want) {
            problems.add(method + " " + path + " -> " + res.statusCode() + ", wanted " + want);
          } else if (res.statusCode() == 405 && res.getHeader("allow") == null) {
            problems.add(method + " " + path + " -> 405 without Allow");
          }
        } catch (Exception e) {
          problems.add(method + " " + path + " -> " + e);
        }
      }
    }
    http.close().await();
    assertThat(problems).isEmpty();
    assertThat(logs.errorsAndStackTraces()).isEmpty();
  }
}

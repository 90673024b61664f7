package dev.portcullis.server;

import static dev.portcullis.server.GatewayHarness.chat;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 10 item 10: HTTP/1.1 framing per RFC 9112, checked with exact bytes on a raw socket. Ambiguous or
 * unsupported framing is refused and the connection closed; a malformed chunk is a 400, not a silent drop; the access
 * log records what really happened.
 */
class FramingTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final ListAppender<ILoggingEvent> access = new ListAppender<>();
  static GatewayHarness h;

  @BeforeAll
  static void start() {
    access.start();
    ((Logger) org.slf4j.LoggerFactory.getLogger("portcullis.access")).addAppender(access);
    // a strict listener: without h2c, the strict decoder reads every request, the first one included
    h = GatewayHarness.builder().replaceServer().extraYaml("""
        server:
          event-loops: 1
          listeners:
            - {name: public, host: 127.0.0.1, port: 0}
        """).start();
  }

  @AfterAll
  static void stop() {
    ((Logger) org.slf4j.LoggerFactory.getLogger("portcullis.access")).detachAppender(access);
    h.close();
  }

  /** Writes the bytes and reads until the gateway closes the connection. */
  static String exchange(String request) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", h.gateway.port())) {
      socket.setSoTimeout(15_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  static String chunked(String body) {
    return Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
  }

  static JsonNode accessLine(String requestId) {
    return Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> {
      synchronized (access.list) {
        for (ILoggingEvent e : List.copyOf(access.list)) {
          for (String line : e.getFormattedMessage().split("\n")) {
            JsonNode n = JSON.readTree(line);
            if (requestId.equals(n.path("request_id").asText())) {
              return n;
            }
          }
        }
      }
      return null;
    }, n -> n != null);
  }

  @Test
  void refusesContentLengthWithChunkedAndCloses() throws Exception {
    String body = chat("sim-small", "smuggle", false);
    int before = h.upstream.received().size();
    String response = exchange("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(body)
        + "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 400").contains("length_and_chunked").contains("connection: close")
        .doesNotContain("HTTP/1.1 200");
    assertThat(h.upstream.received()).hasSize(before);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      gzip            | 501
      gzip, chunked   | 501
      chunked, gzip   | 400
      chunked, chunked| 400
      identity        | 501
      """)
  void refusesTransferCodingsOtherThanChunked(String coding, int status) throws Exception {
    String response = exchange("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Transfer-Encoding: " + coding + "\r\n\r\n" + chunked(chat("sim-small", "coding", false)));
    assertThat(response).startsWith("HTTP/1.1 " + status).contains("connection: close");
  }

  @Test
  void refusesAMissingOrRepeatedHost() throws Exception {
    assertThat(exchange("GET /v1/models HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400").contains("bad_host");
    assertThat(exchange("GET /v1/models HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")).startsWith("HTTP/1.1 400")
        .contains("bad_host");
  }

  /** Netty 4.2.12 refuses an unquoted extension value ({@code ;name=value}), a 400; quoted values and names pass. */
  @Test
  void acceptsAValidChunkExtension() throws Exception {
    String body = chat("sim-small", "extension", false);
    String response = exchange("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + Integer.toHexString(body.length()) + ";name=\"quoted; value\";flag\r\n" + body + "\r\n0\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 200");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      zz
      -5
      5;bad\u0001ext
      """)
  void answersAMalformedChunkWith400AndLogsIt(String size) throws Exception {
    String id = "bad-chunk-" + Integer.toHexString(size.hashCode());
    int before = h.upstream.received().size();
    String response = exchange("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "X-Request-Id: " + id + "\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"mod\r\n" + size + "\r\nel\":1}\r\n0\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 400").contains("bad_chunk").contains("connection: close");
    assertThat(h.upstream.received()).hasSize(before);
    assertThat(accessLine(id).path("http.response.status_code").asInt()).isEqualTo(400);
  }

  @Test
  void logsAClientThatLeftBeforeAnyAnswerAs499NotAs200() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", h.gateway.port())) {
      socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Request-Id: left-early\r\n"
          + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"model\":").getBytes(StandardCharsets.UTF_8));
      Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> h.gateway.metrics().registry()
          .find("portcullis.requests.in.flight").gauge().value() >= 1);
    }
    assertThat(accessLine("left-early").path("http.response.status_code").asInt()).isEqualTo(499);
  }
}

package dev.portcullis.server;

import static dev.portcullis.server.GatewayHarness.chat;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 10 item 20: HTTP/2 carries header values in binary frames, so CR, LF and NUL arrive intact; they are refused
 * at the edge with a 400 instead of failing later (a 502 when the value was to be forwarded).
 */
class HeaderValuesTest {

  static GatewayHarness h;

  @BeforeAll
  static void start() {
    h = GatewayHarness.builder().start();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  static Http2Headers post() {
    return new DefaultHttp2Headers(false).method("POST").scheme("http").authority("127.0.0.1")
        .path("/v1/chat/completions").add("content-type", "application/json");
  }

  static int send(Http2Headers headers) throws Exception {
    try (RawH2 h2 = new RawH2(h.gateway.port())) {
      return h2.request(headers, chat("sim-small", "x", false).getBytes(StandardCharsets.UTF_8));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"accept", "x-note", "authorization", "openai-beta"})
  void refusesControlCharactersInAnyHeaderValue(String header) throws Exception {
    for (String value : new String[] {"a\r\nx-injected: 1", "a\nb", "a\rb", "a\u0000b"}) {
      int before = h.upstream.received().size();
      assertThat(send(post().add(header, value))).as(header + " " + value.replace("\r", "\\r").replace("\n", "\\n"))
          .isEqualTo(400);
      assertThat(h.upstream.received()).hasSize(before);
    }
  }

  @Test
  void acceptsOrdinaryValues() throws Exception {
    assertThat(send(post().add("accept", "application/json").add("x-note", "tab\tand spaces ok"))).isEqualTo(200);
  }
}

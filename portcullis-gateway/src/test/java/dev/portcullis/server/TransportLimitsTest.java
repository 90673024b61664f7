package dev.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Read and idle timeouts, seen from a raw socket so nothing in a client library hides them. */
class TransportLimitsTest {

  static GatewayHarness h;

  @BeforeAll
  static void start() {
    h = GatewayHarness.builder().replaceServer().extraYaml("""
        server:
          event-loops: 1
          read-timeout: 800ms
          idle-timeout: 2s
          listeners:
            - {name: public, host: 127.0.0.1, port: 0}
        """).start();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  static String readAll(InputStream in) throws Exception {
    return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  @Test
  void slowBodyGets408AndTheConnectionCloses() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", h.gateway.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
          + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"model\":").getBytes());
      String response = readAll(socket.getInputStream());
      assertThat(response).startsWith("HTTP/1.1 408").contains("request_timeout");
    }
  }

  @Test
  void idleConnectionIsClosed() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", h.gateway.port())) {
      socket.setSoTimeout(10_000);
      long start = System.nanoTime();
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
      assertThat((System.nanoTime() - start) / 1_000_000).isBetween(1_000L, 9_000L);
    }
  }

  @Test
  void invalidContentLengthIs400() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", h.gateway.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
          + "Content-Length: -5\r\n\r\n").getBytes());
      assertThat(readAll(socket.getInputStream())).startsWith("HTTP/1.1 400");
    }
  }
}

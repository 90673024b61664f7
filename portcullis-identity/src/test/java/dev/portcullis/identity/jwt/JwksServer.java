package dev.portcullis.identity.jwt;

import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A real HTTP server on a free loopback port serving JWK sets by path, counting requests per path. */
final class JwksServer implements AutoCloseable {

  private final HttpServer server;
  private final Map<String, String> documents = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

  JwksServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
      String body = documents.get(path);
      byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
    server.start();
  }

  /** Serves the public part of {@code keys} at {@code path}. */
  void publish(String path, JWKSet keys) {
    documents.put(path, keys.toPublicJWKSet().toString());
  }

  /** Serves {@code keys} as given, private parts included (a misconfigured identity provider). */
  void publishIncludingPrivate(String path, JWKSet keys) {
    documents.put(path, keys.toString(false));
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  int hits(String path) {
    AtomicInteger n = hits.get(path);
    return n == null ? 0 : n.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

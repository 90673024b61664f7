package dev.portcullis.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import redis.embedded.RedisServer;

/**
 * A real Redis server for tests: the one at {@code REDIS_URL} when that is set, otherwise a {@code redis-server}
 * (shipped by {@code com.github.codemonstur:embedded-redis}, which the test must have on its classpath) started on
 * a free loopback port, keeping nothing on disk. Can be stopped and started again on the same port, to test
 * outages.
 */
public final class TestRedis implements AutoCloseable {

  private final RedisServer server;
  private final String uri;

  private TestRedis(RedisServer server, String uri) {
    this.server = server;
    this.uri = uri;
  }

  public static TestRedis start() {
    String env = System.getenv("REDIS_URL");
    if (env != null && !env.isBlank()) {
      return new TestRedis(null, env);
    }
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      RedisServer server = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
          .setting("save \"\"").setting("appendonly no").build();
      server.start();
      return new TestRedis(server, "redis://127.0.0.1:" + port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code redis://host:port}. */
  public String uri() {
    return uri;
  }

  /** True when this harness started the server (so it may stop and restart it). */
  public boolean owned() {
    return server != null;
  }

  /** A key prefix no other test uses, with one Redis Cluster hash tag; tests isolate by prefix, never by flushing. */
  public static String uniquePrefix() {
    return "test:" + java.util.UUID.randomUUID().toString().substring(0, 12) + ":{limits}:";
  }

  /** Stops the server (an outage); {@link #resume()} starts it again on the same port. */
  public void pause() {
    requireOwned();
    try {
      server.stop();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void resume() {
    requireOwned();
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void requireOwned() {
    if (server == null) {
      throw new IllegalStateException("REDIS_URL points at a server these tests do not own");
    }
  }

  @Override
  public void close() {
    if (server != null) {
      try {
        server.stop();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}

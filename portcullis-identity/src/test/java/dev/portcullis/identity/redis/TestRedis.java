package dev.portcullis.identity.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import redis.embedded.RedisServer;

/** A real Redis for tests: REDIS_URL when set, else a redis-server started on a free loopback port. */
final class TestRedis implements AutoCloseable {

  private final RedisServer server;
  final String uri;

  private TestRedis(RedisServer server, String uri) {
    this.server = server;
    this.uri = uri;
  }

  static TestRedis start() {
    String env = System.getenv("REDIS_URL");
    if (env != null && !env.isBlank()) {
      return new TestRedis(null, env);
    }
    try (ServerSocket probe = new ServerSocket(0)) {
      int port = probe.getLocalPort();
      probe.close();
      RedisServer server = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
          .setting("save \"\"").setting("appendonly no").build();
      server.start();
      return new TestRedis(server, "redis://127.0.0.1:" + port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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

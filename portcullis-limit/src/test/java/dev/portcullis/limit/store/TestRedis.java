package dev.portcullis.limit.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import redis.embedded.RedisServer;

/**
 * A real Redis for tests: REDIS_URL from the environment if set, otherwise a redis-server started on a
 * free loopback port. Tests isolate themselves by key prefix, never by flushing.
 */
public final class TestRedis implements AutoCloseable {
    private final RedisServer server;
    private final String uri;
    private final int port;

    private TestRedis(RedisServer server, String uri, int port) {
        this.server = server;
        this.uri = uri;
        this.port = port;
    }

    public static TestRedis start() {
        String env = System.getenv("REDIS_URL");
        if (env != null && !env.isBlank()) {
            return new TestRedis(null, env, -1);
        }
        int port = freePort();
        try {
            RedisServer server = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                    .setting("save \"\"").setting("appendonly no").build();
            server.start();
            return new TestRedis(server, "redis://127.0.0.1:" + port, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String uri() {
        return uri;
    }

    /** True if this harness owns the server (so it can stop and restart it). */
    public boolean embedded() {
        return server != null;
    }

    public void stop() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void restart() {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String uniquePrefix() {
        return "t" + Keys.newReservationId().substring(0, 12) + ":{limits}:";
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (server != null && server.isActive()) {
            stop();
        }
    }
}

package dev.portcullis.limit.store;

import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Redis connection that may not exist yet: if Redis is down when the gateway starts, calls fail fast
 * (so the failover store decides) and a new connection is attempted in the background at most once per
 * {@code retryNanos}. Once connected, Lettuce reconnects by itself.
 */
final class RedisConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisConnection.class);

    /** A connected session: its commands and how to close it. */
    record Session(RedisScriptingAsyncCommands<String, String> commands, AutoCloseable closer) {}

    private final Supplier<CompletionStage<Session>> connect;
    private final Runnable shutdown;
    private final long retryNanos;
    private final AtomicBoolean connecting = new AtomicBoolean();
    private volatile Session session;
    private volatile long nextAttempt;
    private volatile boolean closed;

    RedisConnection(Supplier<CompletionStage<Session>> connect, Runnable shutdown, long retryNanos) {
        this.connect = connect;
        this.shutdown = shutdown;
        this.retryNanos = retryNanos;
        try {
            attempt().toCompletableFuture().join();
        } catch (RuntimeException e) {
            LOG.warn("Redis not reachable at start ({}); limits use the fallback until it is", rootName(e));
        }
    }

    /** The connected commands, or a failed stage while there is no connection yet. */
    CompletionStage<RedisScriptingAsyncCommands<String, String>> commands() {
        Session s = session;
        if (s != null) {
            return CompletableFuture.completedFuture(s.commands());
        }
        if (!closed && System.nanoTime() - nextAttempt >= 0) {
            attempt();
        }
        return CompletableFuture.failedFuture(new RedisConnectionException("not connected to Redis"));
    }

    private CompletionStage<Session> attempt() {
        if (!connecting.compareAndSet(false, true)) {
            return CompletableFuture.failedFuture(new RedisConnectionException("connecting"));
        }
        nextAttempt = System.nanoTime() + retryNanos;
        CompletionStage<Session> stage;
        try {
            stage = connect.get();
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return stage.whenComplete((s, error) -> {
            if (s != null) {
                if (closed) {
                    closeQuietly(s.closer());
                } else {
                    session = s;
                    LOG.info("connected to Redis for limits");
                }
            }
            connecting.set(false);
        });
    }

    private static String rootName(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("closing a Redis connection failed: {}", e.getClass().getSimpleName());
        }
    }

    @Override
    public void close() {
        closed = true;
        Session s = session;
        if (s != null) {
            closeQuietly(s.closer());
        }
        shutdown.run();
    }
}

package dev.portcullis.limit.store;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.types.ErrorType;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counters in standalone Redis through connections owned by the gateway's event loops (ADR 0048): a decision asked
 * for on an event loop is written to that loop's own connection and its answer is read on the same thread, with no
 * hand-off to a client I/O thread and back. Calls from any other thread share one connection. The scripts, keys and
 * replies are {@link RedisLimitStore}'s. Every call completes within the command timeout, connecting and a NOSCRIPT
 * retry included. A connection that fails or lets a command time out is closed (its socket, not only its lease from
 * the client's pool); the next call on that loop connects again, at most once a second after a failed attempt (calls
 * fail fast meanwhile, so the failover store decides). Plain TCP only ({@code redis://}): TLS URIs use Lettuce.
 */
final class EventLoopRedisLimitStore implements LimitStore {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoopRedisLimitStore.class);
    private static final long RETRY_NANOS = 1_000_000_000L;

    private final Vertx vertx;
    private final Redis client;
    private final InstantSource clock;
    private final String prefix;
    private final long timeoutMillis;
    /** One per event-loop thread that has called (bounded by the event-loop pool), plus {@link #shared}. */
    private final ConcurrentHashMap<Thread, Slot> slots = new ConcurrentHashMap<>();
    private final Slot shared;
    private volatile boolean closed;

    EventLoopRedisLimitStore(Vertx vertx, String uri, Duration commandTimeout, InstantSource clock, String prefix) {
        this.vertx = vertx;
        this.clock = clock;
        this.prefix = RedisLimitStore.requireTaggedPrefix(prefix);
        this.timeoutMillis = Math.max(1, commandTimeout.toMillis());
        if (!uri.startsWith("redis://")) {
            throw new IllegalArgumentException("event-loop connections take redis:// URIs only");
        }
        RedisOptions options = new RedisOptions().setType(RedisClientType.STANDALONE).setConnectionString(uri)
                // a cap, not a size: one connection per event-loop thread that calls (at most 1024), and the shared
                .setMaxPoolSize(1025)
                .setMaxPoolWaiting(64).setMaxWaitingHandlers(4096)
                .setNetClientOptions(new NetClientOptions().setTcpNoDelay(true).setTcpKeepAlive(true)
                        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis)));
        this.client = Redis.createClient(vertx, options);
        this.shared = new Slot(vertx.getOrCreateContext());
    }

    @Override
    public CompletionStage<AcquireResult> acquire(AcquireRequest request) {
        String[][] call = RedisLimitStore.acquireCall(prefix, request, Micros.now(clock));
        int n = request.charges().size();
        return script(RedisLimitStore.ACQUIRE_SHA, RedisLimitStore.ACQUIRE, call[0], call[1]).thenApply(reply -> {
            List<Object> values = new ArrayList<>(reply.size());
            for (int i = 0; i < reply.size(); i++) {
                values.add(reply.get(i).toLong());
            }
            return RedisLimitStore.toResult(values, n);
        });
    }

    @Override
    public CompletionStage<Boolean> settle(String reservationId, long actualTokens, long actualSpendMicros) {
        if (actualTokens < 0 || actualSpendMicros < 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("actual usage must not be negative"));
        }
        if (!Keys.isSafe(reservationId)) {
            return CompletableFuture.completedFuture(false);
        }
        String[][] call = RedisLimitStore.settleCall(prefix, reservationId, actualTokens, actualSpendMicros,
                Micros.now(clock));
        return script(RedisLimitStore.SETTLE_SHA, RedisLimitStore.SETTLE, call[0], call[1])
                .thenApply(r -> r.toLong() == 1L);
    }

    /** EVALSHA on the caller's connection, falling back to EVAL once when Redis lost its script cache. */
    private CompletionStage<Response> script(String sha, String body, String[] keys, String[] args) {
        Slot slot = slot();
        CompletableFuture<Response> result = new CompletableFuture<>();
        if (slot != shared) {
            // on the event-loop thread that owns the slot (other contexts on it share its thread)
            slot.send(evalsha(sha, keys, args), body, keys, args, result);
        } else {
            slot.context.runOnContext(v -> slot.send(evalsha(sha, keys, args), body, keys, args, result));
        }
        return result;
    }

    private Slot slot() {
        if (Context.isOnEventLoopThread()) {
            Context current = Vertx.currentContext();
            if (current != null && current.owner() == vertx) {
                return slots.computeIfAbsent(Thread.currentThread(), t -> new Slot(current));
            }
        }
        return shared;
    }

    private static Request evalsha(String sha, String[] keys, String[] args) {
        return withKeysAndArgs(Request.cmd(Command.EVALSHA).arg(sha), keys, args);
    }

    private static Request withKeysAndArgs(Request r, String[] keys, String[] args) {
        r.arg(keys.length);
        for (String k : keys) {
            r.arg(k);
        }
        for (String a : args) {
            r.arg(a);
        }
        return r;
    }

    /** One connection and the context that owns it; touched only on that context's thread. */
    private final class Slot {
        final Context context;
        RedisConnection connection;
        Future<RedisConnection> connecting;
        /** Before this time (after a failed attempt) no new attempt is made. */
        long retryAt = System.nanoTime();

        Slot(Context context) {
            this.context = context;
        }

        /**
         * Sends {@code request}; {@code result} completes within the command timeout, connecting and a NOSCRIPT retry
         * included.
         */
        void send(Request request, String body, String[] keys, String[] args, CompletableFuture<Response> result) {
            RedisConnection[] used = {null};
            long timer = vertx.setTimer(timeoutMillis, t -> {
                if (result.completeExceptionally(new TimeoutException("Redis did not answer in " + timeoutMillis
                        + " ms")) && used[0] != null) {
                    drop(used[0]);
                }
            });
            result.whenComplete((r, e) -> vertx.cancelTimer(timer));
            connection().onComplete(ar -> {
                if (ar.failed()) {
                    result.completeExceptionally(ar.cause());
                    return;
                }
                if (result.isDone()) {
                    return;
                }
                RedisConnection c = ar.result();
                used[0] = c;
                c.send(request).onComplete(reply -> {
                    if (reply.succeeded()) {
                        result.complete(reply.result());
                    } else if (reply.cause() instanceof ErrorType e && e.is("NOSCRIPT")) {
                        c.send(withKeysAndArgs(Request.cmd(Command.EVAL).arg(body), keys, args))
                                .onComplete(again -> finish(c, again, result));
                    } else {
                        finish(c, reply, result);
                    }
                });
            });
        }

        /** Completes {@code result}; a failure other than an error reply of Redis drops the connection. */
        private void finish(RedisConnection c, io.vertx.core.AsyncResult<Response> reply,
                CompletableFuture<Response> result) {
            if (reply.succeeded()) {
                result.complete(reply.result());
                return;
            }
            if (!(reply.cause() instanceof ErrorType)) {
                drop(c);
            }
            result.completeExceptionally(reply.cause());
        }

        /**
         * The connection, connecting when there is none; after a failed attempt, calls fail at once for a second.
         * An attempt that takes longer than the command timeout counts as failed.
         */
        Future<RedisConnection> connection() {
            if (closed) {
                return Future.failedFuture(new IllegalStateException("limit store closed"));
            }
            if (connection != null) {
                return Future.succeededFuture(connection);
            }
            if (connecting != null) {
                return connecting;
            }
            if (System.nanoTime() - retryAt < 0) {
                return Future.failedFuture(new IllegalStateException("not connected to Redis"));
            }
            Promise<RedisConnection> promise = Promise.promise();
            Future<RedisConnection> attempt = promise.future();
            connecting = attempt;
            long timer = vertx.setTimer(timeoutMillis, t -> failed(attempt, promise,
                    new TimeoutException("no connection to Redis in " + timeoutMillis + " ms")));
            client.connect().onComplete(ar -> {
                vertx.cancelTimer(timer);
                if (ar.failed()) {
                    failed(attempt, promise, ar.cause());
                    return;
                }
                RedisConnection c = ar.result();
                if (closed || promise.future().isComplete()) {
                    forceClose(c);
                    return;
                }
                connecting = null;
                c.exceptionHandler(e -> drop(c));
                c.endHandler(v -> drop(c));
                connection = c;
                LOG.info("connected to Redis for limits on {}", Thread.currentThread().getName());
                promise.complete(c);
            });
            return attempt;
        }

        private void failed(Future<RedisConnection> attempt, Promise<RedisConnection> promise, Throwable cause) {
            if (promise.tryFail(cause) && connecting == attempt) {
                connecting = null;
                retryAt = System.nanoTime() + RETRY_NANOS;
            }
        }

        void drop(RedisConnection c) {
            if (connection == c) {
                connection = null;
                forceClose(c);
            }
        }
    }

    /** Closes the socket itself: closing a pooled connection would only return it, still open, to the pool. */
    private static void forceClose(RedisConnection c) {
        if (c instanceof io.vertx.redis.client.impl.PooledRedisConnection pooled) {
            pooled.actual().forceClose();
        } else {
            c.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        List<Slot> all = new ArrayList<>(slots.values());
        all.add(shared);
        for (Slot s : all) {
            s.context.runOnContext(v -> {
                if (s.connection != null) {
                    forceClose(s.connection);
                    s.connection = null;
                }
            });
        }
        client.close();
    }
}

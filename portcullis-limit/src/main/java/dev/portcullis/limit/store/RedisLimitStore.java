package dev.portcullis.limit.store;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Counters in Redis (standalone, Sentinel or Cluster). Each acquire and each settle is one Lua script,
 * so a request's charges across all rules are decided atomically. Every key starts with {@code prefix},
 * which carries one Redis Cluster hash tag (e.g. {@code portcullis:{limits}:}) so a script's keys share
 * a slot. The script gets the time from the injected clock: instances' clocks should be NTP-synchronised.
 */
final class RedisLimitStore implements LimitStore {
    static final String ACQUIRE = script("acquire.lua");
    static final String SETTLE = script("settle.lua");
    static final String ACQUIRE_SHA = sha1(ACQUIRE);
    static final String SETTLE_SHA = sha1(SETTLE);

    private final RedisConnection connection;
    private final InstantSource clock;
    private final String prefix;

    RedisLimitStore(RedisConnection connection, InstantSource clock, String prefix) {
        this.connection = connection;
        this.clock = clock;
        this.prefix = requireTaggedPrefix(prefix);
    }

    static String requireTaggedPrefix(String prefix) {
        if (!prefix.matches("[A-Za-z0-9_.:-]*\\{[A-Za-z0-9_.:-]+}[A-Za-z0-9_.:-]*")) {
            throw new IllegalArgumentException(
                    "prefix must contain exactly one non-empty {hash tag}, e.g. portcullis:{limits}:");
        }
        return prefix;
    }

    @Override
    public CompletionStage<AcquireResult> acquire(AcquireRequest request) {
        String[][] call = acquireCall(prefix, request, Micros.now(clock));
        int n = request.charges().size();
        return this.<List<Object>>run(ACQUIRE_SHA, ACQUIRE, ScriptOutputType.MULTI, call[0], call[1])
                .thenApply(reply -> toResult(reply, n));
    }

    /** The keys ({@code [0]}) and arguments ({@code [1]}) of acquire.lua for {@code request} at {@code nowMicros}. */
    static String[][] acquireCall(String prefix, AcquireRequest request, long nowMicros) {
        List<Charge> charges = request.charges();
        int n = charges.size();
        String[] keys = new String[n + 1];
        String[] args = new String[4 + 6 * n];
        args[0] = Long.toString(nowMicros);
        args[1] = request.reservationId();
        args[2] = Long.toString(request.reservationTtlMicros());
        args[3] = Integer.toString(n);
        for (int i = 0; i < n; i++) {
            Charge c = charges.get(i);
            keys[i] = prefix + c.key();
            int b = 4 + 6 * i;
            args[b] = String.valueOf(c.meter().code());
            args[b + 1] = String.valueOf(c.unit().code());
            args[b + 2] = Long.toString(c.cost());
            args[b + 3] = Long.toString(c.meter().limit());
            switch (c.meter()) {
                case Meter.TokenBucket m -> {
                    args[b + 4] = Long.toString(m.periodMicros());
                    args[b + 5] = Long.toString(m.burst());
                }
                case Meter.SlidingWindow m -> {
                    args[b + 4] = Long.toString(m.windowMicros());
                    args[b + 5] = "0";
                }
                case Meter.Concurrency m -> {
                    args[b + 4] = Long.toString(m.leaseMicros());
                    args[b + 5] = "0";
                }
                case Meter.Calendar m -> {
                    args[b + 4] = Long.toString(m.endsAtMicros());
                    args[b + 5] = Long.toString(m.seed());
                }
            }
        }
        keys[n] = prefix + "res:" + request.reservationId();
        return new String[][] {keys, args};
    }

    @Override
    public CompletionStage<Boolean> settle(String reservationId, long actualTokens, long actualSpendMicros) {
        if (actualTokens < 0 || actualSpendMicros < 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("actual usage must not be negative"));
        }
        if (!Keys.isSafe(reservationId)) {
            return CompletableFuture.completedFuture(false);
        }
        String[][] call = settleCall(prefix, reservationId, actualTokens, actualSpendMicros, Micros.now(clock));
        return this.<Long>run(SETTLE_SHA, SETTLE, ScriptOutputType.INTEGER, call[0], call[1]).thenApply(r -> r == 1L);
    }

    /** The keys ({@code [0]}) and arguments ({@code [1]}) of settle.lua. */
    static String[][] settleCall(String prefix, String reservationId, long actualTokens, long actualSpendMicros,
            long nowMicros) {
        return new String[][] {{prefix + "res:" + reservationId}, {Long.toString(nowMicros), reservationId,
            Long.toString(actualTokens), Long.toString(actualSpendMicros)}};
    }

    /** EVALSHA, falling back to EVAL once when the server lost its script cache (restart, failover). */
    private <T> CompletionStage<T> run(String sha, String body, ScriptOutputType type, String[] keys, String[] args) {
        return connection.commands().thenCompose(redis -> run(redis, sha, body, type, keys, args));
    }

    private static <T> CompletionStage<T> run(RedisScriptingAsyncCommands<String, String> redis, String sha,
            String body, ScriptOutputType type, String[] keys, String[] args) {
        CompletionStage<T> first = redis.evalsha(sha, type, keys, args);
        return first.handle((value, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(value);
            }
            Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
            if (cause instanceof RedisNoScriptException) {
                return redis.<T>eval(body, type, keys, args);
            }
            return CompletableFuture.<T>failedFuture(cause);
        }).thenCompose(s -> s);
    }

    /** acquire.lua's reply (integers) for {@code n} charges. */
    static AcquireResult toResult(List<?> reply, int n) {
        List<MeterState> states = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            states.add(new MeterState((Long) reply.get(3 + 2 * i), (Long) reply.get(4 + 2 * i)));
        }
        boolean admitted = (Long) reply.get(0) == 1L;
        return new AcquireResult(admitted, (int) (long) (Long) reply.get(1) - 1, (Long) reply.get(2), states);
    }

    private static String sha1(String script) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
                    .digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by every JDK", e);
        }
    }

    private static String script(String name) {
        try (InputStream in = RedisLimitStore.class.getResourceAsStream("/dev/portcullis/limit/store/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing script " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}

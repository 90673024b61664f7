package dev.portcullis.bench.limit;

import dev.portcullis.limit.LimitDecision;
import dev.portcullis.limit.LimitEngine;
import dev.portcullis.limit.LimitRequest;
import dev.portcullis.limit.config.Unit;
import dev.portcullis.limit.store.AcquireRequest;
import dev.portcullis.limit.store.AcquireResult;
import dev.portcullis.limit.store.Charge;
import dev.portcullis.limit.store.Keys;
import dev.portcullis.limit.store.LimitStore;
import dev.portcullis.limit.store.LimitStores;
import dev.portcullis.limit.store.Meter;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Limit decisions through a real Redis (one Lua script per decision, one Lettuce connection per
 * instance). Needs {@code -Dportcullis.bench.redis=redis://127.0.0.1:PORT}; skipped (fails fast) without.
 * Run with {@code -t} threads to keep several decisions in flight, as a gateway's event loops do.
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RedisLimitBenchmark {
    static final int IN_FLIGHT = 64;

    LimitStore store;
    LimitStore engineStore;
    io.lettuce.core.RedisClient pingClient;
    io.lettuce.core.api.StatefulRedisConnection<String, String> ping;
    LimitEngine engine;
    AcquireRequest[] requests;
    LimitRequest[] limitRequests;

    @Setup(Level.Trial)
    public void setUp() {
        String uri = System.getProperty("portcullis.bench.redis");
        if (uri == null) {
            throw new IllegalStateException("set -Dportcullis.bench.redis=redis://host:port");
        }
        pingClient = io.lettuce.core.RedisClient.create(uri);
        ping = pingClient.connect();
        InstantSource clock = InstantSource.system();
        String prefix = "bench" + Keys.newReservationId().substring(0, 8) + ":{limits}:";
        store = LimitStores.redis(uri, Duration.ofSeconds(2), clock, prefix);
        engineStore = LimitStores.redis(uri, Duration.ofSeconds(2), clock, prefix + "e:");
        engine = new LimitEngine(engineStore, clock, Benchmarks.twoRules());
        Meter meter = new Meter.TokenBucket(1_000_000_000L, 1_000_000L, 1_000_000_000L);
        java.util.Random random = new java.util.Random(42);
        requests = new AcquireRequest[4096];
        limitRequests = new LimitRequest[4096];
        for (int i = 0; i < requests.length; i++) {
            int key = MemoryLimitBenchmark.zipf(random);
            requests[i] = new AcquireRequest(List.of(new Charge("k:" + key, meter, Unit.REQUESTS, 1)),
                    "bench" + i, 60_000_000L);
            limitRequests[i] = LimitRequest.builder().ip("10.0." + (key % 250) + "." + (key / 250 % 250))
                    .keyId("key-" + key).build();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        store.close();
        engineStore.close();
        ping.close();
        pingClient.shutdown();
    }

    @State(Scope.Thread)
    public static class Cursor {
        int i = (int) (Math.random() * 4096);

        int next() {
            i = (i + 1) & 4095;
            return i;
        }
    }

    @Benchmark
    @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
    @Threads(8)
    public AcquireResult storeDecision(Cursor c) {
        return store.acquire(requests[c.next()]).toCompletableFuture().join();
    }

    @Benchmark
    @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
    @Threads(8)
    public LimitDecision engineDecision(Cursor c) {
        return engine.acquire(limitRequests[c.next()]).toCompletableFuture().join();
    }

    /**
     * 64 decisions in flight at once on one connection, as an event-loop gateway issues them; score is
     * per decision.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @Threads(1)
    @OperationsPerInvocation(IN_FLIGHT)
    public int pipelined(Cursor c) {
        CompletableFuture<?>[] all = new CompletableFuture<?>[IN_FLIGHT];
        for (int i = 0; i < IN_FLIGHT; i++) {
            all[i] = store.acquire(requests[c.next()]).toCompletableFuture();
        }
        CompletableFuture.allOf(all).join();
        return all.length;
    }

    /** Baseline: a plain PING round trip with the same client and threads, no script. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @Threads(8)
    public String pingBaseline() {
        return ping.async().ping().toCompletableFuture().join();
    }

    /** One caller, one decision at a time: the pure round-trip latency. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @Threads(1)
    public AcquireResult singleCallerLatency(Cursor c) {
        return store.acquire(requests[c.next()]).toCompletableFuture().join();
    }
}

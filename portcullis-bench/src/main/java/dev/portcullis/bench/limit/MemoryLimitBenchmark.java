package dev.portcullis.bench.limit;

import dev.portcullis.limit.LimitDecision;
import dev.portcullis.limit.LimitEngine;
import dev.portcullis.limit.LimitRequest;
import dev.portcullis.limit.config.LimitsConfig;
import dev.portcullis.limit.config.Unit;
import dev.portcullis.limit.store.AcquireRequest;
import dev.portcullis.limit.store.AcquireResult;
import dev.portcullis.limit.store.Charge;
import dev.portcullis.limit.store.LimitStore;
import dev.portcullis.limit.store.LimitStores;
import dev.portcullis.limit.store.Meter;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * In-memory limit decisions. {@code storeDecision}: one atomic acquire of one token-bucket charge over
 * 10,000 keys with a Zipf-like skew (what the store costs). {@code engineDecision}: a full limit-stage
 * decision through {@link LimitEngine} (config lookup, key building, two rules, headers state).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MemoryLimitBenchmark {
    static final int KEYS = 10_000;

    LimitStore store;
    LimitEngine engine;
    AcquireRequest[] requests;
    LimitRequest[] limitRequests;

    @Setup(Level.Trial)
    public void setUp() {
        InstantSource clock = InstantSource.system();
        store = LimitStores.memory(clock, 100_000, 100_000);
        Meter meter = new Meter.TokenBucket(1_000_000_000L, 1_000_000L, 1_000_000_000L);
        requests = new AcquireRequest[4096];
        limitRequests = new LimitRequest[4096];
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < requests.length; i++) {
            int key = zipf(random);
            requests[i] = new AcquireRequest(List.of(new Charge("k:" + key, meter, Unit.REQUESTS, 1)),
                    "bench" + i, 60_000_000L);
            limitRequests[i] = LimitRequest.builder().ip("10.0." + (key % 250) + "." + (key / 250 % 250))
                    .keyId("key-" + key).build();
        }
        LimitsConfig config = Benchmarks.twoRules();
        engine = new LimitEngine(LimitStores.memory(clock, 100_000, 100_000), clock, config);
    }

    /** Keys skewed towards a few hot ones, as real traffic is. */
    static int zipf(java.util.Random r) {
        double u = r.nextDouble();
        return (int) Math.min(KEYS - 1, Math.floor(Math.pow(KEYS, u)) - 1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        store.close();
    }

    @State(Scope.Thread)
    public static class Cursor {
        int i;

        int next() {
            i = (i + 1) & 4095;
            return i;
        }
    }

    @Benchmark
    public AcquireResult storeDecision(Cursor c) {
        return store.acquire(requests[c.next()]).toCompletableFuture().join();
    }

    @Benchmark
    public LimitDecision engineDecision(Cursor c) {
        return engine.acquire(limitRequests[c.next()]).toCompletableFuture().join();
    }
}

package dev.portcullis.bench.limit;

import dev.portcullis.limit.config.Unit;
import dev.portcullis.limit.store.AcquireRequest;
import dev.portcullis.limit.store.AcquireResult;
import dev.portcullis.limit.store.Charge;
import dev.portcullis.limit.store.Keys;
import dev.portcullis.limit.store.LimitStore;
import dev.portcullis.limit.store.LimitStores;
import dev.portcullis.limit.store.Meter;
import io.lettuce.core.RedisClient;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * Open-loop load on the Redis limit store, the way a gateway instance issues decisions: asynchronously, from one
 * thread, without waiting for answers. Decisions are sent at a fixed rate (those due are sent together at least
 * every 100 µs); each one's latency runs from the time it was <em>due</em> (so a stalled sender is charged for it,
 * no coordinated omission) to its answer.
 * Reports the achieved rate and latency percentiles; a run whose achieved rate falls short of the target says so.
 *
 * <pre>
 * java -cp portcullis-bench/target/benchmarks.jar dev.portcullis.bench.limit.RedisDecisionLoad \
 *      redis://127.0.0.1:PORT RATE SECONDS [WARMUP_SECONDS [ping|loop]]
 * </pre>
 *
 * With {@code ping}, each decision is replaced by a plain PING through Lettuce with its default settings: the floor
 * that any decision through this JVM client on this machine pays, without the script or the store's code. With
 * {@code loop}, decisions go through the store on event-loop-owned connections and are sent from a Vert.x event loop
 * (every 100 µs, those due are sent), as a gateway's event loop sends them.
 *
 * Bounded: at most RATE × SECONDS decisions after the warm-up, and it gives up on answers 10 s after the last send.
 */
public final class RedisDecisionLoad {

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: RedisDecisionLoad redis://host:port RATE SECONDS [WARMUP_SECONDS [ping]]");
            System.exit(2);
        }
        String uri = args[0];
        int rate = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        String mode = args.length > 4 ? args[4] : "decide";
        boolean ping = mode.equals("ping");
        if (rate < 1 || rate > 1_000_000 || seconds < 1 || seconds > 300 || warmup < 0 || warmup > 120
                || !(ping || mode.equals("loop") || mode.equals("decide"))) {
            throw new IllegalArgumentException("rate 1..1,000,000/s, seconds 1..300, warm-up 0..120, mode ping|loop");
        }
        if (mode.equals("loop")) {
            Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setPreferNativeTransport(true));
            String prefix = "load" + Keys.newReservationId().substring(0, 8) + ":{limits}:";
            try (LimitStore store = LimitStores.redisOnEventLoops(vertx, uri, Duration.ofSeconds(2),
                    InstantSource.system(), prefix)) {
                AcquireRequest[] requests = requests();
                if (warmup > 0) {
                    onLoop(vertx, store, requests, rate, warmup);
                }
                report(rate, seconds, onLoop(vertx, store, requests, rate, seconds));
            } finally {
                vertx.close().await();
            }
            return;
        }
        if (ping) {
            RedisClient client = RedisClient.create(uri);
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                RedisAsyncCommands<String, String> redis = connection.async();
                report(rate, seconds, run(i -> redis.ping().thenApply(pong -> true), rate, warmup, seconds));
            } finally {
                client.shutdown();
            }
            return;
        }
        String prefix = "load" + Keys.newReservationId().substring(0, 8) + ":{limits}:";
        try (LimitStore store = LimitStores.redis(uri, Duration.ofSeconds(2), InstantSource.system(), prefix)) {
            AcquireRequest[] requests = requests();
            report(rate, seconds, run(i -> store.acquire(requests[i & (requests.length - 1)])
                    .thenApply(AcquireResult::admitted), rate, warmup, seconds));
        }
    }

    private static Result run(IntFunction<CompletionStage<Boolean>> send, int rate, int warmup, int seconds)
            throws InterruptedException {
        if (warmup > 0) {
            run(send, rate, warmup);
        }
        return run(send, rate, seconds);
    }

    private static void report(int rate, int seconds, Result r) {
        long[] l = r.latenciesNanos();
        Arrays.sort(l);
        System.out.printf("target %,d decisions/s for %d s: achieved %,.0f/s, %,d answered (%,d refused by the"
                + " limit), %,d failed%s%n", rate, seconds, r.answered() / r.elapsedSeconds(), r.answered(),
                r.refused(), r.failed(),
                r.answered() / r.elapsedSeconds() < rate * 0.95 ? "  ** FELL BEHIND THE TARGET RATE **" : "");
        System.out.printf("latency from due time: p50 %s  p90 %s  p99 %s  p99.9 %s  max %s%n", us(l, 0.50),
                us(l, 0.90), us(l, 0.99), us(l, 0.999), us(l, 1.0));
        long[] t = r.serviceNanos();
        Arrays.sort(t);
        System.out.printf("latency from send:     p50 %s  p90 %s  p99 %s  p99.9 %s  max %s%n", us(t, 0.50),
                us(t, 0.90), us(t, 0.99), us(t, 0.999), us(t, 1.0));
    }

    /** Latencies from the due time and from the actual send (the store's own answer time, without sender lateness). */
    record Result(long[] latenciesNanos, long[] serviceNanos, long answered, long refused, long failed,
            double elapsedSeconds) {}

    /**
     * One token-bucket charge per decision over 10,000 Zipf-skewed keys, 600 requests per minute per key (burst 600):
     * the hot keys reach their limit and are refused, the others are admitted, and each key's counter lives as long as
     * a real one (until its bucket is full again, up to a minute). A limit so high that every decision admits would
     * give every counter a 1 ms lifetime and measure Redis expiring keys instead.
     */
    static AcquireRequest[] requests() {
        Meter meter = new Meter.TokenBucket(600, 60_000_000L, 600);
        Random random = new Random(42);
        AcquireRequest[] requests = new AcquireRequest[4096];
        for (int i = 0; i < requests.length; i++) {
            requests[i] = new AcquireRequest(List.of(new Charge("k:" + MemoryLimitBenchmark.zipf(random), meter,
                    Unit.REQUESTS, 1)), "load" + i, 60_000_000L);
        }
        return requests;
    }

    /** Sends {@code send.apply(i)} for decision i (its answer: admitted) at {@code rate} per second. */
    static Result run(IntFunction<CompletionStage<Boolean>> send, int rate, int seconds) throws InterruptedException {
        int total = (int) Math.min(Integer.MAX_VALUE - 8, (long) rate * seconds);
        long[] latencies = new long[total];
        long[] serviceTimes = new long[total];
        AtomicLong answered = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        CountDownLatch done = new CountDownLatch(total);
        double interval = 1e9 / rate;
        long start = System.nanoTime();
        // Every decision that is due is sent at once, then the sender sleeps until the next one is due (at least
        // 100 µs): an event loop issues decisions in bursts too, and a spinning sender would take a whole core.
        int i = 0;
        while (i < total) {
            long now = System.nanoTime();
            while (i < total && start + (long) (i * interval) <= now) {
                long due = start + (long) (i * interval);
                int slot = i;
                long sent = System.nanoTime();
                send.apply(i).whenComplete((admitted, error) -> {
                    long at = System.nanoTime();
                    latencies[slot] = at - due;
                    serviceTimes[slot] = at - sent;
                    if (error != null) {
                        if (failed.incrementAndGet() == 1) {
                            System.out.println("first failure: " + error);
                        }
                    } else {
                        answered.incrementAndGet();
                        if (!admitted) {
                            refused.incrementAndGet();
                        }
                    }
                    done.countDown();
                });
                i++;
            }
            if (i < total) {
                LockSupport.parkNanos(Math.max(100_000, start + (long) (i * interval) - System.nanoTime()));
            }
        }
        if (!done.await(10, TimeUnit.SECONDS)) {
            System.out.println("** " + done.getCount() + " decisions unanswered 10 s after the last send **");
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new Result(latencies, serviceTimes, answered.get(), refused.get(), failed.get(), elapsed);
    }

    /** Sends the decisions due every 100 µs from one event loop, answers read on the same loop. */
    static Result onLoop(Vertx vertx, LimitStore store, AcquireRequest[] requests, int rate, int seconds)
            throws InterruptedException {
        int total = (int) Math.min(Integer.MAX_VALUE - 8, (long) rate * seconds);
        long[] latencies = new long[total];
        long[] serviceTimes = new long[total];
        long[] counts = new long[3]; // answered, refused, failed: touched on the loop only
        CountDownLatch done = new CountDownLatch(total);
        double interval = 1e9 / rate;
        long start = System.nanoTime();
        int[] next = {0};
        io.vertx.core.internal.ContextInternal context = (io.vertx.core.internal.ContextInternal) vertx
                .getOrCreateContext();
        java.util.concurrent.ScheduledFuture<?>[] ticker = {null};
        // every 100 µs on the loop's own Netty executor (Vert.x timers tick in milliseconds), like the Lettuce sender
        context.runOnContext(v -> ticker[0] = context.nettyEventLoop().scheduleAtFixedRate(() -> context.dispatch(t -> {
            long now = System.nanoTime();
            while (next[0] < total && start + (long) (next[0] * interval) <= now) {
                int slot = next[0]++;
                long due = start + (long) (slot * interval);
                long sent = System.nanoTime();
                store.acquire(requests[slot & (requests.length - 1)]).whenComplete((result, error) -> {
                    long at = System.nanoTime();
                    latencies[slot] = at - due;
                    serviceTimes[slot] = at - sent;
                    if (error != null) {
                        if (++counts[2] == 1) {
                            System.out.println("first failure: " + error);
                        }
                    } else {
                        counts[0]++;
                        if (!result.admitted()) {
                            counts[1]++;
                        }
                    }
                    done.countDown();
                });
            }
            if (next[0] == total) {
                ticker[0].cancel(false);
            }
        }), 0, 100, TimeUnit.MICROSECONDS));
        if (!done.await(seconds + 10L, TimeUnit.SECONDS)) {
            System.out.println("** " + done.getCount() + " decisions unanswered 10 s after the last send **");
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new Result(latencies, serviceTimes, counts[0], counts[1], counts[2], elapsed);
    }

    private static String us(long[] sorted, double q) {
        int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
        return String.format("%,.0f µs", sorted[i] / 1e3);
    }
}

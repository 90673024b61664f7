package dev.portcullis.limit;

import dev.portcullis.testkit.TestRedis;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.limit.LimitDecision.Admitted;
import dev.portcullis.limit.config.Yaml;
import dev.portcullis.limit.store.LimitStore;
import dev.portcullis.limit.store.LimitStores;
import dev.portcullis.limit.store.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Several gateway instances (each with its own engine and Redis connection) share one real Redis. */
class SharedRedisExactnessTest {
    static final int INSTANCES = 3;
    TestRedis redis;
    final List<LimitStore> stores = new ArrayList<>();
    final MutableClock clock = new MutableClock();

    @BeforeEach
    void start() {
        redis = TestRedis.start();
    }

    @AfterEach
    void stop() {
        stores.forEach(LimitStore::close);
        redis.close();
    }

    List<LimitEngine> instances(String yaml) {
        String prefix = TestRedis.uniquePrefix();
        List<LimitEngine> engines = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            LimitStore s = LimitStores.redis(redis.uri(), Duration.ofSeconds(5), clock, prefix);
            stores.add(s);
            engines.add(new LimitEngine(s, clock, Yaml.config(yaml)));
        }
        return engines;
    }

    @Test
    void twoThousandConcurrentRequestsAgainstALimitOfFiveHundredAdmitExactlyFiveHundred() {
        List<LimitEngine> engines = instances("""
                plans:
                  free:
                    limits:
                      - { name: shared-rpm, per: [tenant], unit: requests, algorithm: sliding_window, limit: 500, period: 1h }
                      - { name: shared-burst, per: [global], unit: requests, algorithm: token_bucket, limit: 100000, period: 1h }
                """);
        LimitRequest r = LimitRequest.builder().tenant("acme").build();
        List<CompletableFuture<LimitDecision>> all = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            all.add(engines.get(i % INSTANCES).acquire(r).toCompletableFuture());
        }
        long admitted = all.stream().map(CompletableFuture::join).filter(d -> d instanceof Admitted).count();
        assertThat(admitted).isEqualTo(500);
    }

    /** Item 8b with real processes: three JVMs, 2,000 requests in flight together, one Redis, limit 500. */
    @Test
    void threeProcessesSharingOneRedisAdmitExactlyTheLimit() throws Exception {
        String prefix = TestRedis.uniquePrefix();
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            processes.add(new ProcessBuilder(javaBin, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-cp", System.getProperty("java.class.path"),
                    SharedLimitWorker.class.getName(), redis.uri(), prefix, i == 0 ? "668" : "666")
                    .redirectErrorStream(true).start());
        }
        long admitted = 0;
        for (Process p : processes) {
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("admitted=(\\d+)").matcher(out);
            assertThat(m.find()).as(out).isTrue();
            admitted += Long.parseLong(m.group(1));
        }
        assertThat(admitted).isEqualTo(500);
    }

    /**
     * Reserve-then-settle across instances. Each request reserves an estimate of 100 tokens and really uses
     * 50..120 (estimation error at most +20 per request). Bound stated here: total debited never exceeds
     * quota + (requests in flight at the last admission) * 20, and requests in flight are at most the number
     * of caller threads.
     */
    @Test
    void tokensDebitedNeverExceedTheQuotaByMoreThanTheEstimationErrorInFlight() throws Exception {
        long quota = 20_000;
        int threads = 12;
        long maxUnderEstimate = 20;
        List<LimitEngine> engines = instances("""
                plans:
                  free:
                    max-output-tokens: 100
                    default-output-tokens: 100
                    limits:
                      - { name: tenant-tokens, per: [tenant], unit: tokens, algorithm: sliding_window, limit: %d, period: 1h }
                """.formatted(quota));
        AtomicLong debited = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            LimitEngine engine = engines.get(t % INSTANCES);
            done.add(pool.submit(() -> {
                for (int i = 0; i < 40; i++) {
                    LimitDecision d = engine.acquire(LimitRequest.builder().tenant("acme").maxOutputTokens(100).build())
                            .toCompletableFuture().join();
                    if (d instanceof Admitted a) {
                        long actual = ThreadLocalRandom.current().nextLong(50, 100 + maxUnderEstimate + 1);
                        assertThat(engine.settle(a.lease(), new Usage(0, actual)).toCompletableFuture().join()).isTrue();
                        debited.addAndGet(actual);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(debited.get()).isLessThanOrEqualTo(quota + threads * maxUnderEstimate)
                .isGreaterThan(quota - 100 - threads * 100);
    }
}

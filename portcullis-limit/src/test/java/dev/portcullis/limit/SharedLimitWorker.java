package dev.portcullis.limit;

import dev.portcullis.limit.config.Yaml;
import dev.portcullis.limit.store.LimitStore;
import dev.portcullis.limit.store.LimitStores;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A separate process for {@link SharedRedisExactnessTest}: args are Redis URI, key prefix, request count.
 * Fires all requests at once against a shared limit of 500 and prints how many were admitted.
 */
public final class SharedLimitWorker {
    private SharedLimitWorker() {}

    public static void main(String[] args) {
        try (LimitStore store = LimitStores.redis(args[0], Duration.ofSeconds(10), InstantSource.system(), args[1])) {
            LimitEngine engine = new LimitEngine(store, InstantSource.system(), Yaml.config("""
                    plans:
                      free:
                        limits:
                          - { name: shared-rpm, per: [tenant], unit: requests, algorithm: sliding_window, limit: 500, period: 1h }
                    """));
            LimitRequest r = LimitRequest.builder().tenant("acme").build();
            List<CompletableFuture<LimitDecision>> all = new ArrayList<>();
            for (int i = 0; i < Integer.parseInt(args[2]); i++) {
                all.add(engine.acquire(r).toCompletableFuture());
            }
            long admitted = all.stream().map(CompletableFuture::join)
                    .filter(d -> d instanceof LimitDecision.Admitted).count();
            System.out.println("admitted=" + admitted);
        }
    }
}

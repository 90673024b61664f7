package dev.portcullis.limit;

import com.github.benmanes.caffeine.cache.AsyncCacheLoader;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.portcullis.limit.budget.CalendarPeriod;
import dev.portcullis.limit.budget.UsageLedger;
import dev.portcullis.limit.budget.UsageLedger.Subject;
import dev.portcullis.limit.budget.UsageLedger.UsageTotals;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The ledger totals budget counters start from, cached: the first request for a subject and period in this process
 * waits for one ledger read, later ones find it here. Entries are re-read in the background a minute after they
 * were loaded, so a counter that Redis lost is re-seeded with at most about a minute of usage missing; the ledger
 * includes this process's own unwritten usage. Bounded. A failed read yields null and is not kept; a failed re-read
 * keeps the value it had.
 */
final class BudgetSeeds {
    private static final long MAX_ENTRIES = 100_000;

    private record Key(Subject subject, CalendarPeriod period) {}

    private final AsyncLoadingCache<Key, UsageTotals> cache;

    BudgetSeeds(UsageLedger ledger, Duration refreshAfter) {
        this.cache = Caffeine.newBuilder()
                .maximumSize(MAX_ENTRIES)
                .refreshAfterWrite(refreshAfter)
                .expireAfterAccess(refreshAfter.multipliedBy(10))
                .buildAsync(new AsyncCacheLoader<>() {
                    @Override
                    public CompletableFuture<UsageTotals> asyncLoad(Key key, Executor executor) {
                        // null: not cached (and not logged as a failure by the cache)
                        return read(key).handle((totals, error) -> error == null ? totals : null);
                    }

                    @Override
                    public CompletableFuture<UsageTotals> asyncReload(Key key, UsageTotals old, Executor executor) {
                        return read(key).handle((totals, error) -> error == null ? totals : old);
                    }

                    private CompletableFuture<UsageTotals> read(Key key) {
                        return ledger.totals(key.subject(), key.period()).toCompletableFuture();
                    }
                });
    }

    /** The subject's totals in the period, or null if the ledger could not be read; usually already complete. */
    CompletableFuture<UsageTotals> totals(Subject subject, CalendarPeriod period) {
        return cache.get(new Key(subject, period));
    }
}

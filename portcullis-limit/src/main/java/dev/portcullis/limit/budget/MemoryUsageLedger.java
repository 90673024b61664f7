package dev.portcullis.limit.budget;

import dev.portcullis.limit.config.Algorithm;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The in-process ledger: for one process without a database, and the reference for the contract.
 * Bounded: keeps at most {@code maxTotals} (subject, period) totals and {@code maxRequestIds} recent
 * request ids for idempotence, dropping the oldest.
 */
public final class MemoryUsageLedger implements UsageLedger {
    private final Map<String, UsageTotals> totals;
    private final Map<String, Boolean> seen;

    public MemoryUsageLedger(int maxTotals, int maxRequestIds) {
        this.totals = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, UsageTotals> e) {
                return size() > maxTotals;
            }
        };
        this.seen = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> e) {
                return size() > maxRequestIds;
            }
        };
    }

    @Override
    public synchronized CompletionStage<Void> record(UsageRecord usage) {
        if (seen.putIfAbsent(usage.requestId(), Boolean.TRUE) == null) {
            for (Subject s : usage.subjects()) {
                for (Algorithm a : new Algorithm[] {Algorithm.DAILY, Algorithm.MONTHLY}) {
                    String key = key(s, CalendarPeriod.of(a, usage.at(), usage.zone()));
                    totals.put(key, totals.getOrDefault(key, UsageTotals.ZERO).plus(usage));
                }
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletionStage<UsageTotals> totals(Subject subject, CalendarPeriod period) {
        return CompletableFuture.completedFuture(totals.getOrDefault(key(subject, period), UsageTotals.ZERO));
    }

    private static String key(Subject s, CalendarPeriod p) {
        return s.kind() + "\u0000" + s.id() + "\u0000" + p.label() + "\u0000" + p.start();
    }
}

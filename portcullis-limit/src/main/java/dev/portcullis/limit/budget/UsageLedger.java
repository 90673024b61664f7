package dev.portcullis.limit.budget;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Usage totals per subject and calendar period: what the admin usage endpoint reports and what budget
 * counters start from when the limit store does not have them (after a restart, or a Redis that lost its
 * data). Backends ({@link UsageLedgers}: memory, SQLite, PostgreSQL) pass one shared contract test. The limit
 * store enforces budgets on the hot path; the ledger is the record that survives it.
 */
public interface UsageLedger extends AutoCloseable {

    /**
     * Adds one finished request to the day and month totals of each subject. Never blocks on I/O.
     * Idempotent per request id among the recent requests a backend remembers (see each backend).
     */
    CompletionStage<Void> record(UsageRecord usage);

    /** Totals of {@code subject} in {@code period} (zero if nothing was recorded), including unwritten usage. */
    CompletionStage<UsageTotals> totals(Subject subject, CalendarPeriod period);

    /** Writes what is still pending and releases the backend. */
    @Override
    default void close() {}

    /** Who usage is counted for. */
    record Subject(Kind kind, String id) {
        public Subject {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(id, "id");
        }
    }

    enum Kind { KEY, PRINCIPAL, TENANT }

    /** One finished request; {@code zone} is the tenant's time zone that decides its day and month. */
    record UsageRecord(String requestId, Instant at, ZoneId zone, List<Subject> subjects, long promptTokens,
            long completionTokens, long spendMicros) {
        public UsageRecord {
            Objects.requireNonNull(requestId, "requestId");
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(zone, "zone");
            subjects = List.copyOf(subjects);
            if (promptTokens < 0 || completionTokens < 0 || spendMicros < 0) {
                throw new IllegalArgumentException("usage must not be negative");
            }
        }
    }

    /** Sums for one subject and period. */
    record UsageTotals(long requests, long tokens, long spendMicros) {
        public static final UsageTotals ZERO = new UsageTotals(0, 0, 0);

        /** The total in a limit unit: requests, tokens, or spend micros. */
        public long in(dev.portcullis.limit.config.Unit unit) {
            return switch (unit) {
                case REQUESTS -> requests;
                case TOKENS -> tokens;
                case SPEND -> spendMicros;
                case CONCURRENCY -> throw new IllegalArgumentException("concurrency has no usage total");
            };
        }

        UsageTotals plus(UsageTotals o) {
            return new UsageTotals(requests + o.requests, tokens + o.tokens, spendMicros + o.spendMicros);
        }

        UsageTotals plus(UsageRecord r) {
            return new UsageTotals(requests + 1, tokens + r.promptTokens() + r.completionTokens(),
                    spendMicros + r.spendMicros());
        }
    }
}

package dev.portcullis.limit.budget;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Durable usage totals per subject and calendar period: what budgets and the admin usage endpoint report.
 * Backends (in-memory here; SQLite and PostgreSQL in the control-plane module) pass one shared contract
 * test. The limit store enforces budgets on the hot path; the ledger is the record that survives a Redis
 * loss and can re-seed budget counters.
 */
public interface UsageLedger {

    /** Adds one finished request to the day and month totals of each subject. Idempotent per request id. */
    CompletionStage<Void> record(UsageRecord usage);

    /** Totals of {@code subject} in {@code period} (zero if nothing was recorded). */
    CompletionStage<UsageTotals> totals(Subject subject, CalendarPeriod period);

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

        UsageTotals plus(UsageRecord r) {
            return new UsageTotals(requests + 1, tokens + r.promptTokens() + r.completionTokens(),
                    spendMicros + r.spendMicros());
        }
    }
}

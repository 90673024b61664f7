package dev.portcullis.limit.budget;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.limit.config.Algorithm;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger in SQLite or PostgreSQL (built by {@link UsageLedgers}). {@link #record} never touches the
 * database: it adds to in-memory deltas per (subject, period), and every {@code flushInterval} (and at close) one
 * transaction of upserts adds them to the stored totals. A failed write keeps its deltas for the next attempt, is
 * counted and logged (without subjects or usage); only when more than {@code maxPendingRows} distinct rows are
 * waiting are further new rows dropped, and each drop is counted and logged. {@link #totals} adds the deltas not
 * yet written to the stored row. Writes run on one thread; reads run on a few others, in parallel with each other but
 * never during a write (a read-write lock), so a read never sees a delta both in memory and in a row. For
 * {@value #BACKOFF_MILLIS} ms after a failed database call, reads fail at once instead of queueing behind the
 * database's timeout.
 *
 * <p>Idempotence: a request id recorded again is ignored while it is among the last {@code maxRequestIds} ids this
 * instance recorded; ids are not remembered across restarts or shared between instances.
 */
public final class JdbcUsageLedger implements UsageLedger {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcUsageLedger.class);
    private static final Algorithm[] PERIODS = {Algorithm.DAILY, Algorithm.MONTHLY};
    private static final long BACKOFF_MILLIS = 5_000;
    private static final String UPSERT = """
            INSERT INTO usage_totals (subject_kind, subject_id, period, period_start, requests, tokens, spend_micros,
                updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (subject_kind, subject_id, period, period_start) DO UPDATE SET
                requests = usage_totals.requests + excluded.requests,
                tokens = usage_totals.tokens + excluded.tokens,
                spend_micros = usage_totals.spend_micros + excluded.spend_micros,
                updated_at = excluded.updated_at""";
    private static final String SELECT = "SELECT requests, tokens, spend_micros FROM usage_totals"
            + " WHERE subject_kind = ? AND subject_id = ? AND period = ? AND period_start = ?";

    private final HikariDataSource dataSource;
    private final String backend;
    private final InstantSource clock;
    private final int maxPendingRows;
    private final ScheduledExecutorService worker;
    /** Runs reads: a burst of them (a month starting for every subject at once) does not queue behind one thread. */
    private final ThreadPoolExecutor readers;
    private static final int READERS = 4;
    /** Reads hold it shared, a write exclusively: no read runs between a batch leaving memory and its commit. */
    private final ReentrantReadWriteLock database = new ReentrantReadWriteLock();
    private final Object lock = new Object();
    /** Until then (System.nanoTime) reads fail at once: the last database call failed. */
    private volatile long unavailableUntilNanos = System.nanoTime();
    private final Map<String, Boolean> seen;
    private Map<Row, Delta> pending = new HashMap<>();
    private boolean closed;
    private final LongAdder flushFailures = new LongAdder();
    private final LongAdder droppedRows = new LongAdder();
    private long failureStreak;

    /** A (subject, period) row of {@code usage_totals}. */
    private record Row(Kind kind, String id, String period, long periodStartMillis) {
        static Row of(Subject s, CalendarPeriod p) {
            return new Row(s.kind(), s.id(), p.label(), p.start().toEpochMilli());
        }
    }

    /** Usage recorded but not yet written. */
    private static final class Delta {
        long requests;
        long tokens;
        long spendMicros;

        void add(long r, long t, long s) {
            requests += r;
            tokens += t;
            spendMicros += s;
        }
    }

    JdbcUsageLedger(HikariDataSource dataSource, String backend, InstantSource clock, long flushIntervalMillis,
            int maxPendingRows, int maxRequestIds) {
        this.dataSource = dataSource;
        this.backend = backend;
        this.clock = clock;
        this.maxPendingRows = maxPendingRows;
        this.seen = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > maxRequestIds;
            }
        };
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "portcullis-usage-ledger");
            t.setDaemon(true);
            return t;
        });
        worker.scheduleWithFixedDelay(this::flush, flushIntervalMillis, flushIntervalMillis, TimeUnit.MILLISECONDS);
        java.util.concurrent.atomic.AtomicInteger readerThreads = new java.util.concurrent.atomic.AtomicInteger();
        this.readers = new ThreadPoolExecutor(READERS, READERS, 60, TimeUnit.SECONDS,
                new java.util.concurrent.ArrayBlockingQueue<>(100_000), r -> {
                    Thread t = new Thread(r, "portcullis-usage-ledger-read-" + readerThreads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        readers.allowCoreThreadTimeOut(true);
    }

    @Override
    public CompletionStage<Void> record(UsageRecord usage) {
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("the usage ledger is closed"));
            }
            if (seen.putIfAbsent(usage.requestId(), Boolean.TRUE) == null) {
                long tokens = usage.promptTokens() + usage.completionTokens();
                for (Subject s : usage.subjects()) {
                    for (Algorithm a : PERIODS) {
                        Row row = Row.of(s, CalendarPeriod.of(a, usage.at(), usage.zone()));
                        Delta d = pending.get(row);
                        if (d == null) {
                            if (pending.size() >= maxPendingRows) {
                                droppedRows.increment();
                                if (droppedRows.sum() % 1000 == 1) {
                                    LOG.error("usage ledger ({}): {} rows wait to be written; dropped {} rows so far",
                                            backend, pending.size(), droppedRows.sum());
                                }
                                continue;
                            }
                            d = new Delta();
                            pending.put(row, d);
                        }
                        d.add(1, tokens, usage.spendMicros());
                    }
                }
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<UsageTotals> totals(Subject subject, CalendarPeriod period) {
        Row row = Row.of(subject, period);
        try {
            return CompletableFuture.supplyAsync(() -> read(row), readers);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("the usage ledger is closed"));
        }
    }

    private UsageTotals read(Row row) {
        if (System.nanoTime() - unavailableUntilNanos < 0) {
            throw new IllegalStateException(backend + ": usage ledger unavailable (a recent call failed)");
        }
        database.readLock().lock();
        try {
            return readLocked(row);
        } finally {
            database.readLock().unlock();
        }
    }

    private UsageTotals readLocked(Row row) {
        UsageTotals stored = UsageTotals.ZERO;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(SELECT)) {
            ps.setString(1, row.kind().name());
            ps.setString(2, row.id());
            ps.setString(3, row.period());
            ps.setLong(4, row.periodStartMillis());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    stored = new UsageTotals(rs.getLong(1), rs.getLong(2), rs.getLong(3));
                }
            }
        } catch (SQLException e) {
            backOff();
            throw new IllegalStateException(backend + ": usage ledger read failed (" + describe(e) + ")", e);
        }
        synchronized (lock) {
            Delta d = pending.get(row);
            return d == null ? stored : stored.plus(new UsageTotals(d.requests, d.tokens, d.spendMicros));
        }
    }

    /** Runs a write now, on the ledger's thread (for tests; writes run every second anyway). */
    CompletableFuture<Void> flushNow() {
        return CompletableFuture.runAsync(this::flush, worker);
    }

    /** Writes the pending deltas in one transaction; on failure keeps them for the next attempt. */
    private void flush() {
        database.writeLock().lock();
        try {
            flushLocked();
        } finally {
            database.writeLock().unlock();
        }
    }

    private void flushLocked() {
        Map<Row, Delta> batch;
        synchronized (lock) {
            if (pending.isEmpty()) {
                return;
            }
            batch = pending;
            pending = new HashMap<>();
        }
        try {
            write(batch);
            unavailableUntilNanos = System.nanoTime();
            if (failureStreak > 0) {
                LOG.info("usage ledger ({}): writing again after {} failed attempts", backend, failureStreak);
                failureStreak = 0;
            }
        } catch (SQLException | RuntimeException e) {
            synchronized (lock) {
                batch.forEach((row, d) -> pending.computeIfAbsent(row, r -> new Delta())
                        .add(d.requests, d.tokens, d.spendMicros));
            }
            flushFailures.increment();
            backOff();
            if (failureStreak++ % 60 == 0) {
                LOG.warn("usage ledger ({}): write failed, {} rows kept for the next attempt ({} failures so far): {}",
                        backend, batch.size(), flushFailures.sum(), describe(e));
            }
        }
    }

    private void backOff() {
        unavailableUntilNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BACKOFF_MILLIS);
    }

    private void write(Map<Row, Delta> batch) throws SQLException {
        long now = clock.millis();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
                for (Map.Entry<Row, Delta> e : batch.entrySet()) {
                    Row row = e.getKey();
                    Delta d = e.getValue();
                    ps.setString(1, row.kind().name());
                    ps.setString(2, row.id());
                    ps.setString(3, row.period());
                    ps.setLong(4, row.periodStartMillis());
                    ps.setLong(5, d.requests);
                    ps.setLong(6, d.tokens);
                    ps.setLong(7, d.spendMicros);
                    ps.setLong(8, now);
                    ps.addBatch();
                }
                ps.executeBatch();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** An error's class and SQL state only: driver messages may quote values. */
    private static String describe(Exception e) {
        Throwable t = e instanceof SQLException ? e : e.getCause() instanceof SQLException s ? s : e;
        return t.getClass().getSimpleName() + (t instanceof SQLException s && s.getSQLState() != null
                ? " SQLSTATE " + s.getSQLState() : "");
    }

    /** Writes that failed (their deltas were kept and retried). */
    public long flushFailures() {
        return flushFailures.sum();
    }

    /** Rows not recorded because too many were waiting to be written. */
    public long droppedRows() {
        return droppedRows.sum();
    }

    /** Rows waiting to be written. */
    public int pendingRows() {
        synchronized (lock) {
            return pending.size();
        }
    }

    /**
     * Publishes {@code portcullis_usage_ledger_write_failures_total}, {@code portcullis_usage_ledger_dropped_rows_total}
     * and {@code portcullis_usage_ledger_pending_rows}.
     */
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("portcullis.usage.ledger.write.failures", this, JdbcUsageLedger::flushFailures)
                .description("Usage ledger writes that failed and were retried").register(registry);
        FunctionCounter.builder("portcullis.usage.ledger.dropped.rows", this, JdbcUsageLedger::droppedRows)
                .description("Usage rows dropped because too many were waiting to be written").register(registry);
        Gauge.builder("portcullis.usage.ledger.pending.rows", this, JdbcUsageLedger::pendingRows)
                .description("Usage rows waiting to be written").register(registry);
    }

    /** Stops the timer, writes what is pending (one last attempt), and closes the pool. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        readers.shutdownNow();
        worker.shutdown();
        try {
            if (!worker.awaitTermination(10, TimeUnit.SECONDS)) {
                // a flush still running would race the final one below: stop it and let it put its batch back
                worker.shutdownNow();
                worker.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
        int left = pendingRows();
        if (left > 0) {
            LOG.error("usage ledger ({}): closed with {} rows that could not be written", backend, left);
        }
        dataSource.close();
    }
}

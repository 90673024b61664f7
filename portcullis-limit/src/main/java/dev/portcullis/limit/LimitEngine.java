package dev.portcullis.limit;

import dev.portcullis.limit.LimitDecision.Admitted;
import dev.portcullis.limit.LimitDecision.Reason;
import dev.portcullis.limit.LimitDecision.Refused;
import dev.portcullis.limit.budget.CalendarPeriod;
import dev.portcullis.limit.budget.UsageLedger;
import dev.portcullis.limit.budget.UsageLedger.Kind;
import dev.portcullis.limit.budget.UsageLedger.Subject;
import dev.portcullis.limit.budget.UsageLedger.UsageRecord;
import dev.portcullis.limit.budget.UsageLedger.UsageTotals;
import dev.portcullis.limit.config.FailureMode;
import dev.portcullis.limit.config.Dimension;
import dev.portcullis.limit.config.LimitRule;
import dev.portcullis.limit.config.LimitsConfig;
import dev.portcullis.limit.config.Plan;
import dev.portcullis.limit.config.PriorityClass;
import dev.portcullis.limit.config.Unit;
import dev.portcullis.limit.store.AcquireRequest;
import dev.portcullis.limit.store.AcquireResult;
import dev.portcullis.limit.store.Charge;
import dev.portcullis.limit.store.Keys;
import dev.portcullis.limit.store.LimitStore;
import dev.portcullis.limit.store.MeterState;
import dev.portcullis.limit.store.Meter;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the gateway's limit stage calls: turns a request and the current configuration into one atomic
 * store decision across every rule that applies, and ends admitted requests. Global limits protect the
 * whole gateway and do not apply to plans of priority CRITICAL; a plan's own limits always apply. A new
 * configuration ({@link #update}) applies to the next request; no restart. A failing store yields a refusal with
 * {@link Reason#STORE_UNAVAILABLE} (fail closed); wrap the store in a failover store for fail-open-local.
 *
 * <p>With a usage ledger, finished requests are {@linkplain #record recorded} in it, and a budget counter
 * (a {@code daily} or {@code monthly} rule counted per key, principal or tenant alone, for all models) that the store
 * does not have yet starts from the ledger's total for its subject and period, so budgets survive a restart or a
 * Redis that lost its data. If that total cannot be read, the budget starts from what the store has
 * ({@code fail-open-local}, counted in {@link #seedFailures}) or the request is refused with
 * {@link Reason#STORE_UNAVAILABLE} ({@code fail-closed}).
 */
public final class LimitEngine {
    private static final Logger LOG = LoggerFactory.getLogger(LimitEngine.class);
    private static final Duration STORE_RETRY = Duration.ofSeconds(1);
    private static final long SEED_WAIT_MILLIS = 2_000;
    private static final Duration SEED_REFRESH = Duration.ofMinutes(1);
    /** How long a budget counter that could not start from the ledger lives before it is rebuilt from it. */
    static final Duration UNSEEDED_LIFETIME = Duration.ofMinutes(1);

    private final LimitStore store;
    private final InstantSource clock;
    private final AtomicReference<Snapshot> config;
    private final String ridPrefix = Keys.newReservationId().substring(0, 16) + "-";
    private final AtomicLong ridCounter = new AtomicLong();
    private final LongAdder storeFailures = new LongAdder();
    private final LongAdder seedFailures = new LongAdder();
    private final UsageLedger ledger;
    private final BudgetSeeds seeds;

    /** An engine without a usage ledger: nothing is recorded, budgets start from what the store has. */
    public LimitEngine(LimitStore store, InstantSource clock, LimitsConfig config) {
        this(store, clock, config, null);
    }

    /** An engine that records usage in {@code ledger} and seeds budget counters from it. */
    public LimitEngine(LimitStore store, InstantSource clock, LimitsConfig config, UsageLedger ledger) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.config = new AtomicReference<>(Snapshot.of(Objects.requireNonNull(config, "config")));
        this.ledger = ledger;
        this.seeds = ledger == null ? null : new BudgetSeeds(ledger, SEED_REFRESH);
    }

    /** The engine's clock: the time decisions are made at. */
    public Instant now() {
        return clock.instant();
    }

    /** Publishes a new validated configuration; requests already admitted keep their leases. */
    public void update(LimitsConfig next) {
        config.set(Snapshot.of(Objects.requireNonNull(next, "config")));
    }

    public LimitsConfig config() {
        return config.get().config();
    }

    /** A configuration with the per-rule parts that do not depend on the request computed once. */
    private record Snapshot(LimitsConfig config, IdentityHashMap<LimitRule, Compiled> rules) {
        static Snapshot of(LimitsConfig c) {
            IdentityHashMap<LimitRule, Compiled> rules = new IdentityHashMap<>();
            for (LimitRule r : c.globalLimits()) {
                rules.put(r, Compiled.of("g", r));
            }
            for (Plan p : c.plans().values()) {
                for (LimitRule r : p.limits()) {
                    rules.put(r, Compiled.of("p." + Keys.part(p.name()), r));
                }
            }
            return new Snapshot(c, rules);
        }
    }

    /** A rule's key prefix and, unless it follows the calendar, its meter. */
    private record Compiled(String keyPrefix, Meter meter, Duration window) {
        static Compiled of(String scope, LimitRule rule) {
            Meter meter;
            Duration window = rule.period();
            if (rule.unit() == Unit.CONCURRENCY) {
                meter = new Meter.Concurrency(rule.limit(), micros(rule.period()));
                window = null;
            } else {
                meter = switch (rule.algorithm()) {
                    case TOKEN_BUCKET -> new Meter.TokenBucket(rule.limit(), micros(rule.period()), rule.burst());
                    case SLIDING_WINDOW -> new Meter.SlidingWindow(rule.limit(), micros(rule.period()));
                    case DAILY, MONTHLY -> null;
                };
            }
            char code = meter == null ? 'k' : meter.code();
            return new Compiled(scope + "." + Keys.part(rule.name()) + "." + code, meter, window);
        }
    }

    /** Store calls that failed (each one answered with a fail-closed refusal). */
    public long storeFailures() {
        return storeFailures.sum();
    }

    /** Budget seeds that could not be read from the ledger (each answered per the failure mode). */
    public long seedFailures() {
        return seedFailures.sum();
    }

    /** Decides one request: all applicable rules are charged together, or none. */
    public CompletionStage<LimitDecision> acquire(LimitRequest request) {
        return decide(request, false, ALL_UNITS);
    }

    /**
     * Charges only the rules that count requests (unit {@code requests}), before expensive work on a large request
     * (counting its tokens), so that such requests cannot be sent without limit however they end. The decision's
     * lease holds nothing to settle. Follow an admission with {@link #acquireAllButRequests}.
     */
    public CompletionStage<LimitDecision> acquireRequests(LimitRequest request) {
        return decide(request, false, REQUESTS_ONLY);
    }

    /** Every rule but those {@link #acquireRequests} already charged; the lease settles as with {@link #acquire}. */
    public CompletionStage<LimitDecision> acquireAllButRequests(LimitRequest request) {
        return decide(request, false, ALL_BUT_REQUESTS);
    }

    /**
     * The state of every rule that would apply to {@code request}, without charging anything: for the
     * usage endpoint (budgets used and left in the current day or month) and for headers on a dry run.
     */
    public CompletionStage<RateLimitStatus> usage(LimitRequest request) {
        return decide(request, true, ALL_UNITS).thenApply(LimitDecision::status);
    }

    private static final Predicate<Unit> ALL_UNITS = unit -> true;
    private static final Predicate<Unit> REQUESTS_ONLY = unit -> unit == Unit.REQUESTS;
    private static final Predicate<Unit> ALL_BUT_REQUESTS = unit -> unit != Unit.REQUESTS;

    private CompletionStage<LimitDecision> decide(LimitRequest request, boolean peek, Predicate<Unit> units) {
        Snapshot snapshot = config.get();
        LimitsConfig cfg = snapshot.config();
        String planName = request.plan() == null ? cfg.defaultPlan() : request.plan();
        Plan plan = cfg.plans().get(planName);
        if (plan == null) {
            return done(new Refused(planName, Reason.UNKNOWN_PLAN, null, RateLimitStatus.none()));
        }
        long output = request.maxOutputTokens() >= 0 ? request.maxOutputTokens() : plan.defaultOutputTokens();
        long tokens = request.promptTokens() + output;
        Instant now = null;
        ZoneId zone = request.zone() == null ? cfg.zoneOf(request.tenant()) : request.zone();

        List<LimitRule> rules = new ArrayList<>(cfg.globalLimits().size() + plan.limits().size());
        List<Charge> charges = new ArrayList<>(rules.size());
        List<Duration> windows = new ArrayList<>();
        List<SeedNeed> needs = new ArrayList<>(0);
        for (int pass = 0; pass < 2; pass++) {
            if (pass == 0 && plan.priority() == PriorityClass.CRITICAL) {
                continue;
            }
            List<LimitRule> source = pass == 0 ? cfg.globalLimits() : plan.limits();
            for (LimitRule rule : source) {
                if (!units.test(rule.unit()) || !rule.appliesToModel(request.model())) {
                    continue;
                }
                String dims = dimensionKey(rule, request);
                if (dims == null) {
                    continue;
                }
                long cost;
                switch (rule.unit()) {
                    case REQUESTS, CONCURRENCY -> cost = 1;
                    case TOKENS -> cost = tokens;
                    case SPEND -> {
                        var price = cfg.prices().price(request.model());
                        if (peek) {
                            cost = 0;
                        } else if (price.isEmpty()) {
                            return done(new Refused(rule.name(), Reason.UNPRICED_MODEL, null, RateLimitStatus.none()));
                        } else {
                            cost = price.get().spend(request.promptTokens(), output);
                        }
                    }
                    default -> throw new IllegalStateException();
                }
                Compiled compiled = snapshot.rules().get(rule);
                Meter meter = compiled.meter();
                Duration window = compiled.window();
                String suffix = "";
                if (meter == null) {
                    if (now == null) {
                        now = clock.instant();
                    }
                    CalendarPeriod p = CalendarPeriod.of(rule.algorithm(), now, zone);
                    meter = new Meter.Calendar(rule.limit(), micros(p.end()), 0);
                    Subject subject = seeds == null ? null : ledgerSubject(rule, request);
                    if (subject != null) {
                        needs.add(new SeedNeed(charges.size(), rule.unit(), seeds.totals(subject, p)));
                    }
                    window = Duration.between(p.start(), p.end());
                    suffix = ":" + p.label() + "@" + Keys.part(zone.getId());
                }
                if (peek) {
                    cost = 0;
                }
                long capacity = meter instanceof Meter.TokenBucket b ? b.burst() : meter.limit();
                if (cost > capacity) {
                    return done(new Refused(rule.name(), Reason.TOO_LARGE, null, RateLimitStatus.none()));
                }
                rules.add(rule);
                windows.add(window);
                charges.add(new Charge(compiled.keyPrefix() + dims + suffix, meter, rule.unit(), cost));
            }
        }
        if (charges.isEmpty()) {
            return done(new Admitted(new Lease(null, request.model(), request.promptTokens(), output, Long.MAX_VALUE),
                    RateLimitStatus.none()));
        }
        if (needs.isEmpty()) {
            return acquire(charges, rules, windows, request, output, cfg);
        }
        boolean ready = needs.stream().allMatch(n -> n.totals().isDone());
        if (ready) {
            return seeded(charges, needs, cfg, rules, windows, request, output);
        }
        CompletableFuture<?>[] waits = needs.stream()
                .map(n -> n.totals().copy().orTimeout(SEED_WAIT_MILLIS, TimeUnit.MILLISECONDS))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(waits).handle((v, e) -> null)
                .thenCompose(v -> seeded(charges, needs, cfg, rules, windows, request, output));
    }

    /** A budget charge waiting for its ledger total ({@code charge} is its index). */
    private record SeedNeed(int charge, Unit unit, CompletableFuture<UsageTotals> totals) {}

    /** Puts the ledger totals into the budget charges, then decides; a missing total follows the failure mode. */
    private CompletionStage<LimitDecision> seeded(List<Charge> charges, List<SeedNeed> needs, LimitsConfig cfg,
            List<LimitRule> rules, List<Duration> windows, LimitRequest request, long output) {
        for (SeedNeed n : needs) {
            // null: unreadable (a failed read yields null; a wait that timed out leaves the read running)
            CompletableFuture<UsageTotals> f = n.totals();
            UsageTotals totals = f.isDone() && !f.isCompletedExceptionally() ? f.join() : null;
            if (totals == null) {
                seedFailures.increment();
                long failures = seedFailures.sum();
                if (failures == 1 || failures % 1000 == 0) {
                    LOG.warn("usage ledger unreadable for a budget ({} times so far); {}", failures,
                            cfg.failureMode() == FailureMode.FAIL_CLOSED ? "refusing, fail closed"
                                    : "the budget counts from what the limit store has");
                }
                if (cfg.failureMode() == FailureMode.FAIL_CLOSED) {
                    return done(new Refused(null, Reason.STORE_UNAVAILABLE, STORE_RETRY, RateLimitStatus.none()));
                }
                // Counted from what the store has, but a counter created now (from zero) lives only until the next
                // seed attempt, so it is rebuilt from the ledger (which records this usage too) once readable.
                Charge c = charges.get(n.charge());
                Meter.Calendar m = (Meter.Calendar) c.meter();
                long retry = micros(clock.instant()) + micros(UNSEEDED_LIFETIME);
                charges.set(n.charge(), new Charge(c.key(), new Meter.Calendar(m.limit(),
                        Math.min(m.endsAtMicros(), retry), 0), c.unit(), c.cost()));
                continue;
            }
            Charge c = charges.get(n.charge());
            Meter.Calendar m = (Meter.Calendar) c.meter();
            charges.set(n.charge(), new Charge(c.key(), new Meter.Calendar(m.limit(), m.endsAtMicros(),
                    totals.in(n.unit())), c.unit(), c.cost()));
        }
        return acquire(charges, rules, windows, request, output, cfg);
    }

    private CompletionStage<LimitDecision> acquire(List<Charge> charges, List<LimitRule> rules,
            List<Duration> windows, LimitRequest request, long output, LimitsConfig cfg) {
        String rid = ridPrefix + Long.toString(ridCounter.incrementAndGet(), 36);
        AcquireRequest acquire = new AcquireRequest(charges, rid, micros(cfg.reservationTtl()));
        CompletionStage<AcquireResult> stage = store.acquire(acquire);
        if (stage instanceof CompletableFuture<AcquireResult> f && f.isDone() && !f.isCompletedExceptionally()) {
            return done(decide(f.join(), rules, charges, windows, rid, request, output, acquire.needsSettlement()));
        }
        return stage.handle((result, error) -> {
            if (error != null) {
                storeFailures.increment();
                long n = storeFailures.sum();
                if (n == 1 || n % 1000 == 0) {
                    Throwable cause = error.getCause() != null ? error.getCause() : error;
                    LOG.warn("limit store failed ({} failures so far); refusing, fail closed: {}", n,
                            cause.getClass().getSimpleName());
                }
                return new Refused(null, Reason.STORE_UNAVAILABLE, STORE_RETRY, RateLimitStatus.none());
            }
            return decide(result, rules, charges, windows, rid, request, output, acquire.needsSettlement());
        });
    }

    private static LimitDecision decide(AcquireResult result, List<LimitRule> rules, List<Charge> charges,
            List<Duration> windows, String rid, LimitRequest request, long output, boolean held) {
        List<LimitState> states = new ArrayList<>(rules.size());
        long allowance = Long.MAX_VALUE;
        for (int i = 0; i < rules.size(); i++) {
            LimitRule rule = rules.get(i);
            MeterState s = result.states().get(i);
            states.add(new LimitState(rule.name(), rule.unit(), charges.get(i).meter().limit(), s.remaining(),
                    Duration.ofNanos(s.resetMicros() * 1_000), windows.get(i)));
            if (rule.unit() == Unit.TOKENS) {
                allowance = Math.min(allowance, s.remaining() + charges.get(i).cost());
            }
        }
        RateLimitStatus status = new RateLimitStatus(states);
        if (result.admitted()) {
            return new Admitted(new Lease(held ? rid : null, request.model(), request.promptTokens(), output, allowance),
                    status);
        }
        LimitRule refused = rules.get(result.refusedIndex());
        return new Refused(refused.name(), Reason.OVER_LIMIT,
                Duration.ofNanos(Math.max(1, result.retryAfterMicros()) * 1_000), status);
    }

    /**
     * Ends an admitted request with its actual usage: refunds or charges the difference from the reservation
     * and frees its concurrency slots. Completes with false if the lease was already ended or had expired.
     */
    public CompletionStage<Boolean> settle(Lease lease, Usage usage) {
        if (lease.reservationId() == null) {
            return done(true);
        }
        long spend = config.get().config().prices().price(lease.model())
                .map(p -> p.spend(usage.promptTokens(), usage.completionTokens())).orElse(0L);
        return store.settle(lease.reservationId(), usage.total(), spend);
    }

    /** Ends a request that was never forwarded: refunds tokens and spend, frees slots; requests stay counted. */
    public CompletionStage<Boolean> release(Lease lease) {
        if (lease.reservationId() == null) {
            return done(true);
        }
        return store.release(lease.reservationId());
    }

    /**
     * Records a finished request in the usage ledger for its key, principal and tenant, in its tenant's time zone:
     * {@code usage} is what it used (zero for a request that was never forwarded; it still counts as a request).
     * Does nothing without a ledger or for a request without any of those subjects.
     */
    public CompletionStage<Void> record(String requestId, LimitRequest request, Usage usage) {
        return record(requestId, request, usage, clock.instant());
    }

    /**
     * Records a finished request's usage as of {@code admittedAt}, the time it was admitted: its day and month are the
     * ones its budget counters were charged in, even when it finishes after midnight.
     */
    public CompletionStage<Void> record(String requestId, LimitRequest request, Usage usage, Instant admittedAt) {
        if (ledger == null) {
            return done(null);
        }
        List<Subject> subjects = new ArrayList<>(3);
        if (request.keyId() != null) {
            subjects.add(new Subject(Kind.KEY, request.keyId()));
        }
        if (request.principal() != null) {
            subjects.add(new Subject(Kind.PRINCIPAL, request.principal()));
        }
        if (request.tenant() != null) {
            subjects.add(new Subject(Kind.TENANT, request.tenant()));
        }
        if (subjects.isEmpty()) {
            return done(null);
        }
        LimitsConfig cfg = config.get().config();
        long spend = cfg.prices().price(request.model())
                .map(p -> p.spend(usage.promptTokens(), usage.completionTokens())).orElse(0L);
        ZoneId zone = request.zone() == null ? cfg.zoneOf(request.tenant()) : request.zone();
        return ledger.record(new UsageRecord(requestId, admittedAt, zone, subjects, usage.promptTokens(),
                usage.completionTokens(), spend));
    }

    /**
     * The ledger subject whose totals a budget rule counts: rules per key, principal or tenant alone that count every
     * model. Null for other rules (tenant and model, a header, ...): those start from zero in a fresh store.
     */
    private static Subject ledgerSubject(LimitRule rule, LimitRequest r) {
        if (rule.dimensions().size() != 1 || !rule.models().isEmpty()) {
            return null;
        }
        return switch (rule.dimensions().getFirst()) {
            case KEY -> new Subject(Kind.KEY, r.keyId());
            case PRINCIPAL -> new Subject(Kind.PRINCIPAL, r.principal());
            case TENANT -> new Subject(Kind.TENANT, r.tenant());
            default -> null;
        };
    }

    /** The key part for a rule's dimensions, or null if the request lacks one of them. */
    private static String dimensionKey(LimitRule rule, LimitRequest r) {
        StringBuilder b = new StringBuilder();
        for (Dimension d : rule.dimensions()) {
            String v = switch (d) {
                case IP -> r.ip();
                case KEY -> r.keyId();
                case PRINCIPAL -> r.principal();
                case TENANT -> r.tenant();
                case ROUTE -> r.route();
                case MODEL -> r.model();
                case HEADER -> r.headers().get(rule.header());
                case GLOBAL -> "*";
            };
            if (v == null) {
                return null;
            }
            b.append(':').append(d == Dimension.GLOBAL ? "all" : Keys.part(v));
        }
        return b.toString();
    }

    private static long micros(Duration d) {
        return d.toNanos() / 1_000;
    }

    private static long micros(Instant i) {
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
    }

    private static <T> CompletionStage<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

}

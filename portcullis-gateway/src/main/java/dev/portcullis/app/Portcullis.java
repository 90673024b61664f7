package dev.portcullis.app;

import dev.portcullis.auth.IdentifyStage;
import dev.portcullis.auth.IdentityAdminRoutes;
import dev.portcullis.auth.IdentityRuntime;
import dev.portcullis.auth.IdentitySection;
import dev.portcullis.auth.IdentitySettings;
import dev.portcullis.auth.OAuthEndpoints;
import dev.portcullis.config.ConfigSection;
import dev.portcullis.config.LiveConfig;
import dev.portcullis.guards.GuardSettings;
import dev.portcullis.guards.GuardsSection;
import dev.portcullis.guards.InputGuardStage;
import dev.portcullis.guards.OutputGuardFilter;
import dev.portcullis.limit.LimitEngine;
import dev.portcullis.limit.budget.JdbcUsageLedger;
import dev.portcullis.limit.budget.UsageLedger;
import dev.portcullis.limit.budget.UsageLedgers;
import dev.portcullis.limit.config.LimitsConfig;
import dev.portcullis.limit.store.FailoverLimitStore;
import dev.portcullis.limit.store.LimitStore;
import dev.portcullis.limit.store.LimitStores;
import dev.portcullis.limit.tokens.TokenEstimator;
import dev.portcullis.limits.LimitKeys;
import dev.portcullis.pipeline.HeavyWork;
import dev.portcullis.limits.LimitStage;
import dev.portcullis.limits.LimitsAdminRoutes;
import dev.portcullis.limits.UpstreamProtectionStage;
import dev.portcullis.limits.LimitStreamFilter;
import dev.portcullis.limits.LimitsSection;
import dev.portcullis.limits.LimitsSettings;
import dev.portcullis.observe.GatewayMetrics;
import dev.portcullis.redis.RedisSection;
import dev.portcullis.redis.RedisSettings;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.FunctionCounter;
import dev.portcullis.server.Gateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Portcullis: the gateway with every feature its configuration turns on. Stages run in the order of
 * DESIGN.md: identify, screen, authorize, limit, inspect.
 */
public final class Portcullis {

  private static final Logger LOG = LoggerFactory.getLogger(Portcullis.class);

  /** Every feature section of {@code portcullis.yaml}. */
  public static final List<ConfigSection<?>> SECTIONS = List.of(RedisSection.INSTANCE, IdentitySection.INSTANCE,
      LimitsSection.INSTANCE, GuardsSection.INSTANCE);

  private final Gateway gateway;
  private final IdentityRuntime identity;
  private final UsageLedger ledger;
  private final LimitStore limitStore;
  private final RedisClient redis;
  private final ScheduledExecutorService scheduler;

  private Portcullis(Gateway gateway, IdentityRuntime identity, UsageLedger ledger, LimitStore limitStore,
      RedisClient redis, ScheduledExecutorService scheduler) {
    this.gateway = gateway;
    this.identity = identity;
    this.ledger = ledger;
    this.limitStore = limitStore;
    this.redis = redis;
    this.scheduler = scheduler;
  }

  /** Builds the features (blocking: opens stores) and starts listening. */
  public static Portcullis start(Vertx vertx, LiveConfig live, Clock clock) {
    GatewayMetrics metrics = new GatewayMetrics();
    Gateway.Builder builder = Gateway.builder(live).metrics(metrics);
    RedisSettings redisSettings = live.current().feature(RedisSection.INSTANCE, RedisSettings.class);
    RedisClient redis = redisSettings != null && redisSettings.enabled() ? RedisClient.create(redisSettings.url())
        : null;
    String prefix = redisSettings == null ? null : redisSettings.prefix();
    IdentitySettings identitySettings = live.current().feature(IdentitySection.INSTANCE, IdentitySettings.class);
    IdentityRuntime identity = null;
    if (identitySettings != null && identitySettings.enabled()) {
      identity = IdentityRuntime.start(identitySettings, clock, redis, prefix);
      identity.bindTo(metrics.registry());
      builder.identify(new IdentifyStage(identity.identifier(), identitySettings.realm(), metrics.registry()));
      builder.adminRoutes(new IdentityAdminRoutes(vertx, identity, clock));
      if (identity.oauth() != null) {
        new OAuthEndpoints(identity.oauth(), identity.oauthKeys(), identity.executor()).endpoints()
            .forEach(builder::endpoint);
      }
    } else {
      LOG.warn("identity mode none: requests are not authenticated");
    }
    LimitsSettings limitSettings = live.current().feature(LimitsSection.INSTANCE, LimitsSettings.class);
    UsageLedger ledger = null;
    LimitStore store = null;
    // one thread per two cores counts and scans large prompts; 32 may wait before large requests get 503
    HeavyWork heavy = new HeavyWork(vertx, Math.max(1, Runtime.getRuntime().availableProcessors() / 2), 32);
    if (limitSettings != null) {
      LimitsConfig limits = limitSettings.config();
      LimitsSection.warnings(live.current()).forEach(w -> LOG.warn("{}", w));
      store = LimitStores.forConfig(limits, redis == null ? null : redisSettings.url(), redisSettings.prefix(),
          redisSettings.commandTimeout(), clock, 1_000_000, vertx);
      if (store instanceof FailoverLimitStore failover) {
        failover.bindTo(metrics.registry());
      }
      try {
        ledger = ledger(limitSettings.ledger(), identitySettings, clock);
      } catch (RuntimeException e) {
        store.close();
        if (identity != null) {
          identity.close();
        }
        if (redis != null) {
          redis.shutdown();
        }
        throw e;
      }
      if (ledger instanceof JdbcUsageLedger jdbc) {
        jdbc.bindTo(metrics.registry());
      }
      TokenEstimator estimator = new TokenEstimator();
      LimitEngine engine = new LimitEngine(store, clock, limits, ledger);
      FunctionCounter.builder("portcullis.budget.seed.failures", engine, LimitEngine::seedFailures)
          .description("budget counters that could not start from the usage ledger").register(metrics.registry());
      FunctionCounter.builder("portcullis.limit.store.evictions", store, LimitStore::evictions)
          .description("in-process limit counters dropped because the store was full (they restart from zero)")
          .register(metrics.registry());
      FunctionCounter.builder("portcullis.limit.store.failures", engine, LimitEngine::storeFailures)
          .description("limit decisions refused because the limit store failed (fail closed)")
          .register(metrics.registry());
      String ownIssuer = identity == null || identity.oauth() == null ? null
          : identity.oauth().asTrustedIssuer().issuer();
      builder.stage(new LimitStage(engine, estimator, new LimitKeys(ownIssuer), heavy,
          () -> LimitsSection.config(live.current())));
      builder.adminRoutes(new LimitsAdminRoutes(vertx, engine, ledger, identity, clock));
      builder.responseFilter(new LimitStreamFilter(estimator));
    }
    // upstream protection last before forwarding: a slot is held only by requests that will really go upstream
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "upstream-protection");
      t.setDaemon(true);
      return t;
    });
    // inspect input runs after limits, so that refused requests cost no scanning; present whether or not the
    // section is (a reload may add it)
    InputGuardStage guards = new InputGuardStage(metrics.registry(), clock, heavy);
    GuardSettings guardSettings = live.current().feature(GuardsSection.INSTANCE, GuardSettings.class);
    if (guardSettings != null) {
      guards.prepare(guardSettings);
    }
    builder.stage(guards);
    builder.stage(new UpstreamProtectionStage(scheduler, metrics.registry()));
    builder.responseFilter(new OutputGuardFilter(clock, guards.listener()));
    try {
      Gateway gateway = builder.start(vertx).await();
      return new Portcullis(gateway, identity, ledger, store, redis, scheduler);
    } catch (RuntimeException e) {
      if (identity != null) {
        identity.close();
      }
      if (ledger != null) {
        ledger.close();
      }
      if (store != null) {
        store.close();
      }
      if (redis != null) {
        redis.shutdown();
      }
      scheduler.shutdownNow();
      throw e;
    }
  }

  /**
   * The usage ledger {@code limits.ledger} asks for: by default the identity store's database (SQLite file or
   * PostgreSQL), or memory when identity has no store, which is said once at start since budgets then restart from
   * zero with the process.
   */
  private static UsageLedger ledger(LimitsSettings.Ledger setting, IdentitySettings identity, Clock clock) {
    IdentitySettings.Store database = switch (setting) {
      case LimitsSettings.Ledger.Memory m -> null;
      case LimitsSettings.Ledger.Database d -> d.store();
      case LimitsSettings.Ledger.IdentityDatabase i -> identity != null && identity.enabled() ? identity.store() : null;
    };
    if (database == null) {
      LOG.warn("usage ledger in memory: budgets are not persisted and restart from zero with the process");
      return UsageLedgers.memory();
    }
    UsageLedger ledger = database.sqlite() != null ? UsageLedgers.sqlite(database.sqlite(), clock)
        : UsageLedgers.postgres(database.postgresUrl(), database.postgresUser(), database.postgresPassword(),
            database.poolSize(), clock);
    LOG.info("usage ledger in {}", database.sqlite() != null ? "SQLite " + database.sqlite() : "PostgreSQL");
    return ledger;
  }

  public Gateway gateway() {
    return gateway;
  }

  /** The identity parts, or null with {@code identity: {mode: none}}. */
  public IdentityRuntime identity() {
    return identity;
  }

  /** Stops gracefully, then closes the features' stores (the usage ledger writes what it still holds). */
  public Future<Void> stop() {
    return gateway.stop().eventually(() -> {
      if (ledger != null) {
        ledger.close();
      }
      if (limitStore != null) {
        limitStore.close();
      }
      if (identity != null) {
        identity.close();
      }
      if (redis != null) {
        redis.shutdown();
      }
      scheduler.shutdownNow();
      return Future.succeededFuture();
    });
  }
}

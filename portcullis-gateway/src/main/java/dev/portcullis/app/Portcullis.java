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
import dev.portcullis.limit.config.LimitsConfig;
import dev.portcullis.limit.store.FailoverLimitStore;
import dev.portcullis.limit.store.LimitStore;
import dev.portcullis.limit.store.LimitStores;
import dev.portcullis.limit.tokens.TokenEstimator;
import dev.portcullis.limits.LimitStage;
import dev.portcullis.limits.LimitsAdminRoutes;
import dev.portcullis.limits.UpstreamProtectionStage;
import dev.portcullis.limits.LimitStreamFilter;
import dev.portcullis.limits.LimitsSection;
import dev.portcullis.observe.GatewayMetrics;
import dev.portcullis.redis.RedisSection;
import dev.portcullis.redis.RedisSettings;
import io.lettuce.core.RedisClient;
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
  private final RedisClient redis;
  private final ScheduledExecutorService scheduler;

  private Portcullis(Gateway gateway, IdentityRuntime identity, RedisClient redis,
      ScheduledExecutorService scheduler) {
    this.gateway = gateway;
    this.identity = identity;
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
      builder.stage(new IdentifyStage(identity.identifier(), identitySettings.realm(), metrics.registry()));
      builder.adminRoutes(new IdentityAdminRoutes(vertx, identity, clock));
      if (identity.oauth() != null) {
        new OAuthEndpoints(identity.oauth(), identity.oauthKeys(), identity.executor()).endpoints()
            .forEach(builder::endpoint);
      }
    } else {
      LOG.warn("identity mode none: requests are not authenticated");
    }
    LimitsConfig limits = live.current().feature(LimitsSection.INSTANCE, LimitsConfig.class);
    if (limits != null) {
      LimitStore store = LimitStores.forConfig(limits, redis == null ? null : redisSettings.url(),
          redisSettings.commandTimeout(), clock, 1_000_000);
      if (store instanceof FailoverLimitStore failover) {
        failover.bindTo(metrics.registry());
      }
      TokenEstimator estimator = new TokenEstimator();
      LimitEngine engine = new LimitEngine(store, clock, limits);
      builder.stage(new LimitStage(engine, estimator));
      builder.adminRoutes(new LimitsAdminRoutes(vertx, engine, identity));
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
    InputGuardStage guards = new InputGuardStage(metrics.registry(), clock);
    GuardSettings guardSettings = live.current().feature(GuardsSection.INSTANCE, GuardSettings.class);
    if (guardSettings != null) {
      guards.prepare(guardSettings);
    }
    builder.stage(guards);
    builder.stage(new UpstreamProtectionStage(scheduler, metrics.registry()));
    builder.responseFilter(new OutputGuardFilter(clock, guards.listener()));
    try {
      Gateway gateway = builder.start(vertx).await();
      return new Portcullis(gateway, identity, redis, scheduler);
    } catch (RuntimeException e) {
      if (identity != null) {
        identity.close();
      }
      if (redis != null) {
        redis.shutdown();
      }
      scheduler.shutdownNow();
      throw e;
    }
  }

  public Gateway gateway() {
    return gateway;
  }

  /** The identity parts, or null with {@code identity: {mode: none}}. */
  public IdentityRuntime identity() {
    return identity;
  }

  /** Stops gracefully, then closes the features' stores. */
  public Future<Void> stop() {
    return gateway.stop().eventually(() -> {
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

package dev.portcullis.server;

import dev.portcullis.admin.AdminRoutes;
import dev.portcullis.admin.AdminServer;
import dev.portcullis.config.GatewayConfig;
import dev.portcullis.config.LiveConfig;
import dev.portcullis.config.LiveConfig.ReloadResult;
import dev.portcullis.observe.GatewayMetrics;
import dev.portcullis.pipeline.Pipeline;
import dev.portcullis.pipeline.PublicEndpoint;
import dev.portcullis.pipeline.ResponseFilterFactory;
import dev.portcullis.pipeline.Stage;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: public listeners on every event loop, the admin listener, and configuration reloads. Build one
 * with {@link #builder(LiveConfig)}; stages and response filters are given here, so features plug in without
 * touching the server code.
 */
public final class Gateway {

  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
  private static final long WATCH_MILLIS = 2000;

  private final Vertx vertx;
  private final LiveConfig live;
  private final GatewayMetrics metrics;
  private final Map<String, Integer> ports;
  private final AdminServer admin;
  private final int adminPort;
  private final String deploymentId;
  private volatile boolean ready = true;
  private long watchTimer = -1;
  private FileTime lastSeen;

  private Gateway(Vertx vertx, LiveConfig live, GatewayMetrics metrics, Map<String, Integer> ports,
      AdminServer admin, int adminPort, String deploymentId) {
    this.vertx = vertx;
    this.live = live;
    this.metrics = metrics;
    this.ports = ports;
    this.admin = admin;
    this.adminPort = adminPort;
    this.deploymentId = deploymentId;
  }

  public static Builder builder(LiveConfig live) {
    return new Builder(live);
  }

  /** A Vert.x instance with the native epoll transport when the platform has it (falling back to NIO). */
  public static Vertx createVertx(GatewayConfig config) {
    int loops = config.server().eventLoops() > 0 ? config.server().eventLoops()
        : Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.builder().with(new VertxOptions().setPreferNativeTransport(true)
        .setEventLoopPoolSize(loops)).build();
    if (vertx.isNativeTransportEnabled()) {
      LOG.info("transport=native-epoll event_loops={}", loops);
    } else {
      LOG.info("transport=nio event_loops={} native_unavailable={}", loops,
          vertx.unavailableNativeTransportCause() == null ? "unknown"
              : vertx.unavailableNativeTransportCause().getClass().getSimpleName());
    }
    return vertx;
  }

  /** Assembles a gateway. */
  public static final class Builder {
    private final LiveConfig live;
    private final List<Stage> identify = new ArrayList<>();
    private final List<Stage> stages = new ArrayList<>();
    private final List<ResponseFilterFactory> filters = new ArrayList<>();
    private final List<AdminRoutes> adminRoutes = new ArrayList<>();
    private final Map<String, PublicEndpoint> endpoints = new java.util.LinkedHashMap<>();
    private GatewayMetrics metrics;
    private boolean watchFile = true;

    private Builder(LiveConfig live) {
      this.live = live;
    }

    /**
     * Appends an identify stage: it runs before the body is parsed or the model routed, and may read the headers
     * and {@link dev.portcullis.pipeline.Exchange#rawBody()} only. Identify stages run before every other stage.
     */
    public Builder identify(Stage stage) {
      identify.add(stage);
      return this;
    }

    /** Appends a request stage; stages run in the order added, after the identify stages. */
    public Builder stage(Stage stage) {
      stages.add(stage);
      return this;
    }

    /** Appends a response filter factory; filters see the upstream's output in the order added. */
    public Builder responseFilter(ResponseFilterFactory factory) {
      filters.add(factory);
      return this;
    }

    /** Adds an endpoint the gateway answers itself on the public listeners; paths must be unique. */
    public Builder endpoint(PublicEndpoint endpoint) {
      if (dev.portcullis.config.Route.forPath(endpoint.path()) != null
          || endpoints.putIfAbsent(endpoint.path(), endpoint) != null) {
        throw new IllegalArgumentException("path already served: " + endpoint.path());
      }
      return this;
    }

    /** Adds a feature's admin API endpoints. */
    public Builder adminRoutes(AdminRoutes routes) {
      adminRoutes.add(routes);
      return this;
    }

    public Builder metrics(GatewayMetrics metrics) {
      this.metrics = metrics;
      return this;
    }

    /** Whether to reload when the configuration file changes (default true; off in tests that reload by hand). */
    public Builder watchFile(boolean watch) {
      this.watchFile = watch;
      return this;
    }

    /** Starts listening; the future fails if any listener cannot bind. */
    public Future<Gateway> start(Vertx vertx) {
      GatewayMetrics m = metrics == null ? new GatewayMetrics() : metrics;
      m.knownModels(live.current().upstreamByModel().keySet());
      Pipeline pipeline = new Pipeline(identify, stages, filters, (stage, cause) -> {
        m.stageFailed(stage);
        LOG.error("stage {} failed; request failed closed", stage, cause);
      }, m.registry());
      ConcurrentHashMap<String, Integer> ports = new ConcurrentHashMap<>();
      GatewayConfig config = live.current();
      int instances = config.server().eventLoops() > 0 ? config.server().eventLoops()
          : Runtime.getRuntime().availableProcessors();
      Gateway[] self = new Gateway[1];
      AdminServer admin = new AdminServer(vertx, config.admin(), m, () -> self[0] != null && self[0].ready,
          () -> self[0].reload(), adminRoutes);
      return vertx.deployVerticle(() -> new GatewayVerticle(live, pipeline, m, ports, Map.copyOf(endpoints)),
              new DeploymentOptions().setInstances(instances))
          .compose(id -> admin.start().map(adminPort -> {
            Gateway g = new Gateway(vertx, live, m, ports, admin, adminPort, id);
            self[0] = g;
            if (watchFile && live.file() != null) {
              g.watch();
            }
            LOG.info("listening ports={} admin_port={}", ports, adminPort);
            return g;
          }));
    }
  }

  /** The bound port of the first listener. */
  public int port() {
    return ports.get(live.current().server().listeners().getFirst().name());
  }

  /** The bound port of a named listener. */
  public int port(String listener) {
    Integer port = ports.get(listener);
    if (port == null) {
      throw new IllegalArgumentException("no listener named " + listener);
    }
    return port;
  }

  public int adminPort() {
    return adminPort;
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  public LiveConfig config() {
    return live;
  }

  /** Reloads the configuration file; counted in {@code portcullis_config_reloads_total} and logged. */
  public ReloadResult reload() {
    ReloadResult result = live.reload();
    switch (result) {
      case ReloadResult.Applied a -> {
        metrics.configReload("applied");
        metrics.knownModels(a.config().upstreamByModel().keySet());
        if (a.restartNeeded().isEmpty()) {
          LOG.info("config reload applied");
        } else {
          LOG.warn("config reload applied; changes to {} take effect after a restart", a.restartNeeded());
        }
      }
      case ReloadResult.Unchanged u -> metrics.configReload("unchanged");
      case ReloadResult.Rejected r -> {
        metrics.configReload("rejected");
        LOG.error("config reload rejected, previous configuration kept: {}", String.join("; ", r.problems()));
      }
    }
    return result;
  }

  private void watch() {
    lastSeen = modified(live.file());
    watchTimer = vertx.setPeriodic(WATCH_MILLIS, t -> vertx.executeBlocking(() -> {
      FileTime now = modified(live.file());
      if (now != null && !now.equals(lastSeen)) {
        lastSeen = now;
        reload();
      }
      return null;
    }, false));
  }

  private static FileTime modified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (java.io.IOException e) {
      return null;
    }
  }

  /**
   * Stops gracefully: readiness turns false, listeners stop accepting, and requests in flight (streams included)
   * get up to the configured shutdown grace to finish.
   */
  public Future<Void> stop() {
    ready = false;
    if (watchTimer >= 0) {
      vertx.cancelTimer(watchTimer);
    }
    return vertx.undeploy(deploymentId).eventually(admin::close);
  }
}

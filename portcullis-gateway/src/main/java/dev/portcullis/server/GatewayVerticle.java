package dev.portcullis.server;

import dev.portcullis.config.GatewayConfig;
import dev.portcullis.config.GatewayConfig.ClientAuth;
import dev.portcullis.config.GatewayConfig.ListenerConfig;
import dev.portcullis.config.LiveConfig;
import dev.portcullis.forward.UpstreamClients;
import dev.portcullis.observe.AccessLog;
import dev.portcullis.observe.GatewayMetrics;
import dev.portcullis.pipeline.Pipeline;
import dev.portcullis.pipeline.PublicEndpoint;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's share of the gateway: a server per public listener (Vert.x spreads connections over the
 * instances) and its own upstream clients. Stopping it shuts the servers down gracefully: no new connections, and
 * requests in flight get up to the shutdown grace to finish.
 */
final class GatewayVerticle extends VerticleBase {

  private final LiveConfig live;
  private final Pipeline pipeline;
  private final GatewayMetrics metrics;
  /** This event loop's access log; flushed every few milliseconds and when the verticle stops. */
  private final AccessLog accessLog = new AccessLog();
  private static final long ACCESS_FLUSH_MILLIS = 20;
  private long flushTimer = -1;
  private final Map<String, Integer> boundPorts;
  private final Map<String, PublicEndpoint> endpoints;
  private final List<HttpServer> servers = new ArrayList<>();
  private UpstreamClients clients;
  private long sweepTimer = -1;

  GatewayVerticle(LiveConfig live, Pipeline pipeline, GatewayMetrics metrics,
      ConcurrentHashMap<String, Integer> boundPorts, Map<String, PublicEndpoint> endpoints) {
    this.live = live;
    this.pipeline = pipeline;
    this.metrics = metrics;
    this.boundPorts = boundPorts;
    this.endpoints = endpoints;
  }

  @Override
  public Future<?> start() {
    GatewayConfig config = live.current();
    clients = new UpstreamClients(vertx);
    List<Future<HttpServer>> listening = new ArrayList<>();
    for (ListenerConfig listener : config.server().listeners()) {
      boolean mtls = listener.tls() != null && listener.tls().clientAuth() != ClientAuth.NONE;
      HttpServerOptions options = options(config, listener);
      HttpServer server = vertx.createHttpServer(options);
      server.connectionHandler(connection -> StrictRequestDecoder.install(connection, options));
      server.requestHandler(new ProxyHandler(vertx, live, pipeline, clients, metrics, accessLog, mtls, endpoints));
      server.invalidRequestHandler(new InvalidRequests(config.server().hsts(), metrics));
      servers.add(server);
      listening.add(server.listen().onSuccess(s -> boundPorts.putIfAbsent(listener.name(), s.actualPort())));
    }
    long graceMillis = config.server().shutdownGrace().toMillis();
    sweepTimer = vertx.setPeriodic(10_000, t -> clients.retainOnly(live.current().upstreams(), graceMillis));
    flushTimer = vertx.setPeriodic(ACCESS_FLUSH_MILLIS, t -> accessLog.flush());
    return Future.all(listening);
  }

  static HttpServerOptions options(GatewayConfig config, ListenerConfig listener) {
    GatewayConfig.ServerConfig s = config.server();
    HttpServerOptions options = new HttpServerOptions()
        .setHost(listener.host())
        .setPort(listener.port())
        .setMaxHeaderSize(s.maxHeaderBytes())
        .setMaxInitialLineLength(Math.max(4096, Math.min(s.maxHeaderBytes(), 16384)))
        .setIdleTimeout((int) s.idleTimeout().toSeconds())
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setTcpNoDelay(true)
        .setCompressionSupported(false)
        .setHttp2ClearTextEnabled(listener.h2c());
    if (listener.tls() != null) {
      options.setSsl(true)
          .setUseAlpn(true)
          .setKeyCertOptions(new PemKeyCertOptions().setCertPath(listener.tls().cert().toString())
              .setKeyPath(listener.tls().key().toString()))
          .setEnabledSecureTransportProtocols(listener.tls().protocols());
      switch (listener.tls().clientAuth()) {
        case NONE -> { }
        case OPTIONAL -> options.setClientAuth(io.vertx.core.http.ClientAuth.REQUEST);
        case REQUIRED -> options.setClientAuth(io.vertx.core.http.ClientAuth.REQUIRED);
      }
      if (listener.tls().clientCa() != null) {
        options.setTrustOptions(new PemTrustOptions().addCertPath(listener.tls().clientCa().toString()));
      }
    }
    return options;
  }

  @Override
  public Future<?> stop() {
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    long grace = live.current().server().shutdownGrace().toMillis();
    List<Future<Void>> closing = new ArrayList<>();
    for (HttpServer server : servers) {
      closing.add(server.shutdown(grace, TimeUnit.MILLISECONDS));
    }
    return Future.join(closing).andThen(v -> {
      clients.closeAll();
      if (flushTimer >= 0) {
        vertx.cancelTimer(flushTimer);
      }
      accessLog.flush();
    });
  }
}

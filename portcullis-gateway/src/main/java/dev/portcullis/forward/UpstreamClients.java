package dev.portcullis.forward;

import dev.portcullis.config.GatewayConfig.UpstreamConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * HTTP clients for upstreams, one per upstream definition, owned by one event loop (so a request and its upstream
 * connection share a thread). A reload that changes an upstream's definition gets a new client; the old one is
 * closed once the loop no longer routes to it (after its in-flight requests, bounded by the shutdown grace).
 * Confined to its event loop.
 */
public final class UpstreamClients {

  private final Vertx vertx;
  private final Map<UpstreamConfig, HttpClient> clients = new HashMap<>();

  public UpstreamClients(Vertx vertx) {
    this.vertx = vertx;
  }

  public HttpClient client(UpstreamConfig upstream) {
    HttpClient client = clients.get(upstream);
    if (client == null) {
      client = create(upstream);
      clients.put(upstream, client);
    }
    return client;
  }

  private HttpClient create(UpstreamConfig upstream) {
    URI base = upstream.baseUrl();
    boolean tls = "https".equals(base.getScheme());
    HttpClientOptions options = new HttpClientOptions()
        .setSsl(tls)
        .setUseAlpn(tls)
        .setProtocolVersion(tls ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1)
        .setConnectTimeout((int) upstream.connectTimeout().toMillis())
        .setKeepAlive(true)
        .setTcpNoDelay(true)
        .setDecompressionSupported(false)
        .setMaxInitialLineLength(8192);
    PoolOptions pool = new PoolOptions().setHttp1MaxSize(upstream.maxConnections())
        .setHttp2MaxSize(Math.max(1, upstream.maxConnections() / 100)).setMaxWaitQueueSize(10_000);
    return vertx.createHttpClient(options, pool);
  }

  /** Closes clients whose upstream definition is no longer in use, after {@code graceMillis}. */
  public void retainOnly(java.util.Collection<UpstreamConfig> current, long graceMillis) {
    var it = clients.entrySet().iterator();
    while (it.hasNext()) {
      var e = it.next();
      if (!current.contains(e.getKey())) {
        HttpClient old = e.getValue();
        it.remove();
        vertx.setTimer(Math.max(1, graceMillis), t -> old.close());
      }
    }
  }

  public void closeAll() {
    clients.values().forEach(HttpClient::close);
    clients.clear();
  }
}

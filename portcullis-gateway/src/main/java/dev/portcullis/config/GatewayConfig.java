package dev.portcullis.config;

import dev.portcullis.identity.apikey.CidrBlock;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One validated, immutable configuration snapshot. Requests read the snapshot current when they start and keep it
 * to their end, so a reload never changes a request half-way.
 */
public record GatewayConfig(
    ServerConfig server,
    AdminConfig admin,
    List<UpstreamConfig> upstreams,
    Map<Route, RouteConfig> routes,
    Map<String, UpstreamConfig> upstreamByModel,
    Map<String, Object> features) {

  public GatewayConfig {
    upstreams = List.copyOf(upstreams);
    EnumMap<Route, RouteConfig> copy = new EnumMap<>(Route.class);
    copy.putAll(routes);
    routes = Collections.unmodifiableMap(copy);
    upstreamByModel = Collections.unmodifiableMap(new LinkedHashMap<>(upstreamByModel));
    features = Collections.unmodifiableMap(new LinkedHashMap<>(features));
  }

  /** Builds the model index; callers have checked that no model is served twice. */
  public static GatewayConfig of(ServerConfig server, AdminConfig admin, List<UpstreamConfig> upstreams,
      Map<Route, RouteConfig> routes) {
    Map<String, UpstreamConfig> byModel = new LinkedHashMap<>();
    for (UpstreamConfig upstream : upstreams) {
      for (String model : upstream.models()) {
        byModel.putIfAbsent(model, upstream);
      }
    }
    return new GatewayConfig(server, admin, upstreams, routes, byModel, Map.of());
  }

  /** The same configuration with these feature sections (see {@link ConfigSection}). */
  public GatewayConfig withFeatures(Map<String, Object> features) {
    return new GatewayConfig(server, admin, upstreams, routes, upstreamByModel, features);
  }

  /** A feature's settings, or null when its section is not registered. */
  public <T> T feature(ConfigSection<T> section, Class<T> type) {
    return type.cast(features.get(section.key()));
  }

  /** The upstream serving this model, or null. */
  public UpstreamConfig upstreamFor(String model) {
    return upstreamByModel.get(model);
  }

  /** Settings of a route; routes not named in config get the defaults. */
  public RouteConfig route(Route route) {
    return routes.getOrDefault(route, RouteConfig.DEFAULT);
  }

  /** The same configuration listening on other ports; a null leaves a port unchanged. */
  public GatewayConfig withPorts(Integer port, Integer adminPort) {
    ServerConfig s = server;
    if (port != null) {
      List<ListenerConfig> listeners = new ArrayList<>(server.listeners());
      ListenerConfig first = listeners.getFirst();
      listeners.set(0, new ListenerConfig(first.name(), first.host(), port, first.tls(), first.h2c()));
      s = new ServerConfig(listeners, s.maxHeaderBytes(), s.idleTimeout(), s.readTimeout(), s.shutdownGrace(),
          s.hsts(), s.eventLoops(), s.trustedProxies());
    }
    AdminConfig a = adminPort == null ? admin : new AdminConfig(admin.host(), adminPort, admin.users());
    return new GatewayConfig(s, a, upstreams, routes, upstreamByModel, features);
  }

  /**
   * @param eventLoops     event-loop threads, each with its own server and upstream clients; 0 = one per core
   * @param trustedProxies peers whose {@code X-Forwarded-For} is believed (see {@code ClientAddresses})
   */
  public record ServerConfig(
      List<ListenerConfig> listeners,
      int maxHeaderBytes,
      Duration idleTimeout,
      Duration readTimeout,
      Duration shutdownGrace,
      String hsts,
      int eventLoops,
      List<CidrBlock> trustedProxies) {

    public ServerConfig {
      listeners = List.copyOf(listeners);
      trustedProxies = List.copyOf(trustedProxies);
    }
  }

  /**
   * A public listener; {@code tls} is null for plain HTTP. {@code h2c}: a plain listener also accepts HTTP/2
   * cleartext (prior knowledge or upgrade); off by default, since the first HTTP/1.1 request of a connection is
   * then decoded before the strict decoder is in place (ADR 0009).
   */
  public record ListenerConfig(String name, String host, int port, TlsConfig tls, boolean h2c) {}

  /**
   * TLS from PEM files. {@code clientCa} is required when client certificates are requested.
   */
  public record TlsConfig(Path cert, Path key, Set<String> protocols, ClientAuth clientAuth, Path clientCa) {

    public TlsConfig {
      protocols = Set.copyOf(protocols);
    }
  }

  /** Whether a listener asks for client certificates (mutual TLS). */
  public enum ClientAuth {
    NONE, OPTIONAL, REQUIRED
  }

  /**
   * The admin listener (metrics, health, reload, the admin API). With no users, admin actions are accepted from
   * loopback addresses only.
   */
  public record AdminConfig(String host, int port, List<AdminUser> users) {

    public AdminConfig {
      users = List.copyOf(users);
    }
  }

  /** What an admin user may do. */
  public enum AdminRole {
    /** Everything, in every tenant. */
    ADMIN("admin"),
    /** Read everything, change nothing. */
    AUDITOR("auditor"),
    /** Read and change one tenant's principals and keys. */
    TENANT_ADMIN("tenant-admin");

    private final String name;

    AdminRole(String name) {
      this.name = name;
    }

    public String configName() {
      return name;
    }

    public static AdminRole forName(String name) {
      for (AdminRole r : values()) {
        if (r.name.equals(name)) {
          return r;
        }
      }
      return null;
    }
  }

  /**
   * An admin API user. Only the SHA-256 of the token is kept.
   *
   * @param tenant the tenant of a {@code tenant-admin}; null for the other roles
   * @param scopes the scopes this user holds and so may grant to keys and OAuth clients; null for the role's
   *               default (an {@code admin} holds every scope, a {@code tenant-admin} none)
   */
  public record AdminUser(String name, String tokenSha256, AdminRole role, String tenant, Set<String> scopes) {

    public AdminUser {
      scopes = scopes == null ? null : Set.copyOf(scopes);
    }

    /** A user with its role's default scopes. */
    public AdminUser(String name, String tokenSha256, AdminRole role, String tenant) {
      this(name, tokenSha256, role, tenant, null);
    }

    /** Hex SHA-256 of a token. */
    public static String hash(String token) {
      try {
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
            .digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return java.util.HexFormat.of().formatHex(digest);
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is missing from this JDK", e);
      }
    }
  }

  /**
   * An LLM endpoint.
   *
   * @param baseUrl          up to and including {@code /v1}, e.g. {@code https://api.openai.com/v1}
   * @param apiKey           provider credential sent upstream; never taken from the client; may be null
   * @param authHeader       {@code authorization} (sent as a bearer token) or another header name such as
   *                         {@code api-key} (sent as is)
   */
  public record UpstreamConfig(
      String name,
      URI baseUrl,
      List<String> models,
      String apiKey,
      String authHeader,
      Duration connectTimeout,
      Duration firstByteTimeout,
      Duration idleTimeout,
      int maxConnections,
      Concurrency concurrency,
      List<String> forwardHeaders) {

    public UpstreamConfig {
      models = List.copyOf(models);
      forwardHeaders = List.copyOf(forwardHeaders);
    }

    @Override
    public String toString() {
      return "UpstreamConfig[name=" + name + ", baseUrl=" + baseUrl + ", models=" + models + ", apiKey="
          + (apiKey == null ? "unset" : "***") + "]";
    }
  }

  /**
   * Adaptive protection of an upstream's capacity (null: off): the concurrency limit starts at {@code initial},
   * learns from time to first byte between {@code min} and {@code max}, and requests that find no slot wait at most
   * {@code maxWait} in a line of at most {@code maxWaiting}, best priority first.
   */
  public record Concurrency(int initial, int min, int max, int maxWaiting, Duration maxWait) {}

  /** Per-route settings. */
  public record RouteConfig(long maxBodyBytes) {
    public static final long DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
    public static final RouteConfig DEFAULT = new RouteConfig(DEFAULT_MAX_BODY_BYTES);
  }
}

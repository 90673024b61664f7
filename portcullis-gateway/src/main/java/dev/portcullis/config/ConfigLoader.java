package dev.portcullis.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.portcullis.config.GatewayConfig.AdminConfig;
import dev.portcullis.config.GatewayConfig.AdminRole;
import dev.portcullis.config.GatewayConfig.AdminUser;
import dev.portcullis.config.GatewayConfig.ClientAuth;
import dev.portcullis.config.GatewayConfig.ListenerConfig;
import dev.portcullis.config.GatewayConfig.RouteConfig;
import dev.portcullis.config.GatewayConfig.ServerConfig;
import dev.portcullis.config.GatewayConfig.TlsConfig;
import dev.portcullis.config.GatewayConfig.UpstreamConfig;
import dev.portcullis.forward.ProxyHeaders;
import dev.portcullis.identity.apikey.CidrBlock;
import dev.portcullis.identity.store.Ids;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads {@code portcullis.yaml} into a {@link GatewayConfig}. Every problem found is reported at once, each naming
 * its YAML path (for example {@code upstreams[1].base-url}); unknown keys are problems, so typos never pass silently.
 */
public final class ConfigLoader {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  private final SecretReferences secrets;
  private final List<ConfigSection<?>> sections;
  private final List<String> problems = new ArrayList<>();
  private final ConfigSection.Context context;

  private ConfigLoader(SecretReferences secrets, List<ConfigSection<?>> sections) {
    this.secrets = secrets;
    this.sections = List.copyOf(sections);
    this.context = new ConfigSection.Context() {
      @Override
      public String resolve(String value, String path, List<String> problems) {
        return secrets.resolve(value, path, problems);
      }

      @Override
      public Path baseDir() {
        return secrets.baseDir();
      }
    };
  }

  /** Loads and validates a file; {@code ${file:…}} paths are relative to the file's directory. */
  public static GatewayConfig load(Path file) throws ConfigException {
    return load(file, List.of());
  }

  /** Loads and validates a file with the given feature sections. */
  public static GatewayConfig load(Path file, List<ConfigSection<?>> sections) throws ConfigException {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(List.of(file + ": cannot read (" + e.getClass().getSimpleName() + ": "
          + e.getMessage() + ")"));
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(text, SecretReferences.system(dir), sections);
  }

  /** Validates YAML text, resolving environment references with {@code environment}. */
  public static GatewayConfig parse(String yaml, Function<String, String> environment, Path baseDir)
      throws ConfigException {
    return parse(yaml, new SecretReferences(environment, baseDir), List.of());
  }

  /** Validates YAML text with the given feature sections. */
  public static GatewayConfig parse(String yaml, Function<String, String> environment, Path baseDir,
      List<ConfigSection<?>> sections) throws ConfigException {
    return parse(yaml, new SecretReferences(environment, baseDir), sections);
  }

  private static GatewayConfig parse(String yaml, SecretReferences secrets, List<ConfigSection<?>> sections)
      throws ConfigException {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
      throw new ConfigException(List.of("not valid YAML" + where + ": " + e.getOriginalMessage()));
    }
    ConfigLoader loader = new ConfigLoader(secrets, sections);
    GatewayConfig config = loader.root(root);
    if (!loader.problems.isEmpty()) {
      throw new ConfigException(loader.problems);
    }
    return config;
  }

  private GatewayConfig root(JsonNode root) {
    if (root == null || root.isMissingNode() || root.isNull()) {
      problems.add("(root): the file is empty; it needs at least an 'upstreams' list");
      return null;
    }
    if (!object(root, "(root)")) {
      return null;
    }
    List<String> keys = new ArrayList<>(List.of("server", "admin", "upstreams", "routes"));
    sections.forEach(s -> keys.add(s.key()));
    knownKeys(root, "", keys.toArray(String[]::new));
    ServerConfig server = server(root.path("server"), "server");
    AdminConfig admin = admin(root.path("admin"), "admin");
    List<UpstreamConfig> upstreams = upstreams(root.path("upstreams"));
    Map<Route, RouteConfig> routes = routes(root.path("routes"));
    Map<String, Object> features = new LinkedHashMap<>();
    for (ConfigSection<?> section : sections) {
      Object value = section.parse(root.path(section.key()), context, problems);
      if (value != null) {
        features.put(section.key(), value);
      }
    }
    if (!problems.isEmpty()) {
      return null;
    }
    for (ListenerConfig listener : server.listeners()) {
      if (listener.port() != 0 && listener.port() == admin.port()) {
        problems.add("admin.port: " + admin.port() + " is also the port of listener '" + listener.name() + "'");
      }
    }
    return GatewayConfig.of(server, admin, upstreams, routes).withFeatures(features);
  }

  private ServerConfig server(JsonNode node, String path) {
    if (!node.isMissingNode() && !object(node, path)) {
      node = YAML.createObjectNode();
    }
    knownKeys(node, path, "listeners", "max-header-bytes", "idle-timeout", "read-timeout", "shutdown-grace", "hsts",
        "event-loops", "trusted-proxies");
    List<ListenerConfig> listeners = new ArrayList<>();
    JsonNode list = node.path("listeners");
    if (list.isMissingNode()) {
      listeners.add(new ListenerConfig("public", "0.0.0.0", 8080, null, false));
    } else if (!list.isArray() || list.isEmpty()) {
      problems.add(path + ".listeners: must be a non-empty list");
    } else {
      Set<String> names = new HashSet<>();
      for (int i = 0; i < list.size(); i++) {
        ListenerConfig listener = listener(list.get(i), path + ".listeners[" + i + "]", i);
        if (listener != null) {
          if (!names.add(listener.name())) {
            problems.add(path + ".listeners[" + i + "].name: '" + listener.name() + "' is used twice");
          }
          listeners.add(listener);
        }
      }
    }
    int maxHeader = integer(node, path, "max-header-bytes", 8192, 1024, 1024 * 1024);
    Duration idle = duration(node, path, "idle-timeout", Duration.ofSeconds(120));
    Duration read = duration(node, path, "read-timeout", Duration.ofSeconds(30));
    Duration grace = duration(node, path, "shutdown-grace", Duration.ofSeconds(30));
    String hsts = string(node, path, "hsts", "max-age=31536000; includeSubDomains");
    int loops = integer(node, path, "event-loops", 0, 0, 256);
    return new ServerConfig(listeners, maxHeader, idle, read, grace, hsts, loops,
        trustedProxies(node.path("trusted-proxies"), path + ".trusted-proxies"));
  }

  private List<CidrBlock> trustedProxies(JsonNode list, String path) {
    List<CidrBlock> blocks = new ArrayList<>();
    if (list.isMissingNode() || list.isNull()) {
      return blocks;
    }
    if (!list.isArray()) {
      problems.add(path + ": must be a list of addresses or CIDR blocks, such as [10.0.0.0/8]");
      return blocks;
    }
    for (int i = 0; i < list.size(); i++) {
      try {
        blocks.add(CidrBlock.parse(list.get(i).isTextual() ? list.get(i).asText() : null));
      } catch (IllegalArgumentException e) {
        problems.add(path + "[" + i + "]: " + e.getMessage());
      }
    }
    return blocks;
  }

  private ListenerConfig listener(JsonNode node, String path, int index) {
    if (!object(node, path)) {
      return null;
    }
    knownKeys(node, path, "name", "host", "port", "tls", "h2c");
    String name = string(node, path, "name", index == 0 ? "public" : "listener-" + index);
    String host = string(node, path, "host", "0.0.0.0");
    int port = integer(node, path, "port", 8080, 0, 65535);
    TlsConfig tls = node.has("tls") ? tls(node.get("tls"), path + ".tls") : null;
    JsonNode h2c = node.path("h2c");
    if (!h2c.isMissingNode() && !h2c.isBoolean()) {
      problems.add(path + ".h2c: must be true or false");
    } else if (h2c.asBoolean(false) && tls != null) {
      problems.add(path + ".h2c: only for plain listeners (with TLS, HTTP/2 is negotiated by ALPN)");
    }
    return new ListenerConfig(name, host, port, tls, h2c.asBoolean(false));
  }

  private TlsConfig tls(JsonNode node, String path) {
    if (!object(node, path)) {
      return null;
    }
    knownKeys(node, path, "cert", "key", "protocols", "client-auth", "client-ca");
    Path cert = file(node, path, "cert", true);
    Path key = file(node, path, "key", true);
    Set<String> protocols = new LinkedHashSet<>();
    JsonNode list = node.path("protocols");
    if (list.isMissingNode()) {
      protocols.add("TLSv1.3");
    } else if (!list.isArray() || list.isEmpty()) {
      problems.add(path + ".protocols: must be a non-empty list such as [TLSv1.3] or [TLSv1.3, TLSv1.2]");
    } else {
      for (int i = 0; i < list.size(); i++) {
        String p = list.get(i).asText();
        if (!PROTOCOLS.contains(p)) {
          problems.add(path + ".protocols[" + i + "]: '" + p + "' is not supported; use TLSv1.3 or TLSv1.2");
        }
        protocols.add(p);
      }
    }
    String authText = string(node, path, "client-auth", "none");
    ClientAuth auth = null;
    try {
      auth = ClientAuth.valueOf(authText.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      problems.add(path + ".client-auth: '" + authText + "' is not one of none, optional, required");
    }
    Path ca = file(node, path, "client-ca", auth != null && auth != ClientAuth.NONE);
    if (auth == ClientAuth.NONE && ca != null) {
      problems.add(path + ".client-ca: set, but client-auth is none; set client-auth to optional or required");
    }
    return new TlsConfig(cert, key, protocols, auth == null ? ClientAuth.NONE : auth, ca);
  }

  private AdminConfig admin(JsonNode node, String path) {
    if (!node.isMissingNode() && !object(node, path)) {
      node = YAML.createObjectNode();
    }
    knownKeys(node, path, "host", "port", "token", "users");
    String host = string(node, path, "host", "127.0.0.1");
    int port = integer(node, path, "port", 9090, 0, 65535);
    List<AdminUser> users = new ArrayList<>();
    String token = string(node, path, "token", null);
    if (token != null) {
      if (token.length() < 16) {
        problems.add(path + ".token: must be at least 16 characters");
      }
      users.add(new AdminUser("admin", AdminUser.hash(token), AdminRole.ADMIN, null));
    }
    JsonNode list = node.path("users");
    if (!list.isMissingNode()) {
      if (!list.isArray()) {
        problems.add(path + ".users: must be a list");
      } else {
        Set<String> names = new HashSet<>(users.stream().map(AdminUser::name).toList());
        for (int i = 0; i < list.size(); i++) {
          AdminUser user = adminUser(list.get(i), path + ".users[" + i + "]");
          if (user != null && !names.add(user.name())) {
            problems.add(path + ".users[" + i + "].name: '" + user.name() + "' is used twice");
          }
          if (user != null) {
            users.add(user);
          }
        }
      }
    }
    return new AdminConfig(host, port, users);
  }

  private AdminUser adminUser(JsonNode node, String path) {
    if (!object(node, path)) {
      return null;
    }
    knownKeys(node, path, "name", "token", "role", "tenant", "scopes");
    String name = string(node, path, "name", null);
    String token = string(node, path, "token", null);
    String roleText = string(node, path, "role", null);
    String tenant = string(node, path, "tenant", null);
    if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}")) {
      problems.add(path + ".name: " + (name == null ? "missing" : "'" + name + "' must be 1-64 of A-Z a-z 0-9 . _ -"));
    }
    if (token == null || token.length() < 16) {
      problems.add(path + ".token: " + (token == null ? "missing" : "must be at least 16 characters")
          + " (use ${env:NAME} or ${file:PATH})");
    }
    AdminRole role = roleText == null ? null : AdminRole.forName(roleText);
    if (role == null) {
      problems.add(path + ".role: " + (roleText == null ? "missing" : "'" + roleText + "' is not one of admin, "
          + "auditor, tenant-admin"));
    } else if (role == AdminRole.TENANT_ADMIN && tenant == null) {
      problems.add(path + ".tenant: required for role tenant-admin");
    } else if (role != AdminRole.TENANT_ADMIN && tenant != null) {
      problems.add(path + ".tenant: only tenant-admin users belong to a tenant");
    }
    Set<String> scopes = null;
    JsonNode list = node.get("scopes");
    if (list != null && !list.isNull()) {
      scopes = new LinkedHashSet<>();
      if (!list.isArray()) {
        problems.add(path + ".scopes: must be a list of scopes");
      } else {
        for (int i = 0; i < list.size(); i++) {
          JsonNode scope = list.get(i);
          try {
            scopes.add(Ids.requireScope(scope.isTextual() ? scope.asText() : null));
          } catch (IllegalArgumentException e) {
            problems.add(path + ".scopes[" + i + "]: " + e.getMessage());
          }
        }
      }
    }
    if (name == null || token == null || role == null) {
      return null;
    }
    return new AdminUser(name, AdminUser.hash(token), role, tenant, scopes);
  }

  private List<UpstreamConfig> upstreams(JsonNode list) {
    List<UpstreamConfig> upstreams = new ArrayList<>();
    if (list.isMissingNode() || list.isNull()) {
      problems.add("upstreams: missing; declare at least one upstream with a base-url and its models");
      return upstreams;
    }
    if (!list.isArray() || list.isEmpty()) {
      problems.add("upstreams: must be a non-empty list");
      return upstreams;
    }
    Map<String, String> modelOwner = new HashMap<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String path = "upstreams[" + i + "]";
      UpstreamConfig upstream = upstream(list.get(i), path);
      if (upstream == null) {
        continue;
      }
      if (!names.add(upstream.name())) {
        problems.add(path + ".name: '" + upstream.name() + "' is used twice");
      }
      for (int m = 0; m < upstream.models().size(); m++) {
        String model = upstream.models().get(m);
        String owner = modelOwner.putIfAbsent(model, upstream.name());
        if (owner != null) {
          problems.add(path + ".models[" + m + "]: '" + model + "' is already served by upstream '" + owner + "'");
        }
      }
      upstreams.add(upstream);
    }
    return upstreams;
  }

  private UpstreamConfig upstream(JsonNode node, String path) {
    if (!object(node, path)) {
      return null;
    }
    knownKeys(node, path, "name", "base-url", "models", "api-key", "auth-header", "connect-timeout",
        "first-byte-timeout", "idle-timeout", "max-connections", "concurrency", "forward-headers");
    String name = string(node, path, "name", null);
    if (name == null) {
      problems.add(path + ".name: missing");
    }
    URI baseUrl = null;
    String url = string(node, path, "base-url", null);
    if (url == null) {
      problems.add(path + ".base-url: missing (for example https://api.openai.com/v1)");
    } else {
      try {
        baseUrl = new URI(url);
        if (!("http".equals(baseUrl.getScheme()) || "https".equals(baseUrl.getScheme()))
            || baseUrl.getHost() == null) {
          problems.add(path + ".base-url: '" + url + "' must be an absolute http or https URL");
        } else if (baseUrl.getQuery() != null || baseUrl.getFragment() != null) {
          problems.add(path + ".base-url: must not have a query or fragment");
        }
      } catch (URISyntaxException e) {
        problems.add(path + ".base-url: '" + url + "' is not a URL (" + e.getReason() + ")");
      }
    }
    List<String> models = new ArrayList<>();
    JsonNode list = node.path("models");
    if (!list.isArray() || list.isEmpty()) {
      problems.add(path + ".models: must be a non-empty list of model ids");
    } else {
      for (int i = 0; i < list.size(); i++) {
        JsonNode m = list.get(i);
        if (!m.isTextual() || m.asText().isBlank()) {
          problems.add(path + ".models[" + i + "]: must be a non-empty string");
        } else {
          models.add(m.asText());
        }
      }
    }
    String apiKey = string(node, path, "api-key", null);
    String authHeader = string(node, path, "auth-header", "authorization").toLowerCase(Locale.ROOT);
    if (!authHeader.matches("[a-z0-9-]+")) {
      problems.add(path + ".auth-header: '" + authHeader + "' is not a header name");
    }
    Duration connect = duration(node, path, "connect-timeout", Duration.ofSeconds(5));
    Duration firstByte = duration(node, path, "first-byte-timeout", Duration.ofSeconds(60));
    Duration idle = duration(node, path, "idle-timeout", Duration.ofSeconds(60));
    int maxConnections = integer(node, path, "max-connections", 256, 1, 100_000);
    GatewayConfig.Concurrency concurrency = null;
    JsonNode c = node.path("concurrency");
    if (!c.isMissingNode() && object(c, path + ".concurrency")) {
      String cp = path + ".concurrency";
      knownKeys(c, cp, "initial", "min", "max", "max-waiting", "max-wait");
      int max = integer(c, cp, "max", 500, 1, 100_000);
      int min = integer(c, cp, "min", Math.min(4, max), 1, 100_000);
      int initial = integer(c, cp, "initial", Math.max(min, Math.min(50, max)), 1, 100_000);
      if (min > initial || initial > max) {
        problems.add(cp + ": needs min <= initial <= max");
      }
      concurrency = new GatewayConfig.Concurrency(initial, min, max, integer(c, cp, "max-waiting", 100, 0, 100_000),
          duration(c, cp, "max-wait", Duration.ofSeconds(2)));
    }
    List<String> forward = forwardHeaders(node.path("forward-headers"), path + ".forward-headers", authHeader);
    if (baseUrl == null || name == null) {
      return null;
    }
    return new UpstreamConfig(name, stripTrailingSlash(baseUrl), models, apiKey, authHeader, connect, firstByte,
        idle, maxConnections, concurrency, forward);
  }

  /** The client headers this upstream receives: the default list, or the configured one (lower case, checked). */
  private List<String> forwardHeaders(JsonNode list, String path, String authHeader) {
    if (list.isMissingNode()) {
      return ProxyHeaders.DEFAULT_FORWARDED;
    }
    List<String> names = new ArrayList<>();
    if (!list.isArray()) {
      problems.add(path + ": must be a list of header names");
      return names;
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode n = list.get(i);
      String name = n.isTextual() ? n.asText().toLowerCase(Locale.ROOT) : "";
      String refused = ProxyHeaders.refusedForwarding(name);
      if (!name.matches("[a-z0-9!#$%&'*+.^_`|~-]+")) {
        problems.add(path + "[" + i + "]: must be a header name");
      } else if (refused != null) {
        problems.add(path + "[" + i + "]: '" + name + "' is never forwarded (" + refused + ")");
      } else if (name.equals(authHeader)) {
        problems.add(path + "[" + i + "]: '" + name + "' carries this upstream's provider key");
      } else if (!names.contains(name)) {
        names.add(name);
      }
    }
    return names;
  }

  private static URI stripTrailingSlash(URI uri) {
    String s = uri.toString();
    return s.endsWith("/") ? URI.create(s.substring(0, s.length() - 1)) : uri;
  }

  private Map<Route, RouteConfig> routes(JsonNode node) {
    Map<Route, RouteConfig> routes = new EnumMap<>(Route.class);
    if (node.isMissingNode()) {
      return routes;
    }
    if (!object(node, "routes")) {
      return routes;
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String id = it.next();
      String path = "routes." + id;
      Route route = Route.forId(id);
      if (route == null) {
        problems.add(path + ": unknown route; known routes are " + routeIds());
        continue;
      }
      JsonNode r = node.get(id);
      if (!object(r, path)) {
        continue;
      }
      knownKeys(r, path, "max-body-bytes");
      long max = integer(r, path, "max-body-bytes", (int) RouteConfig.DEFAULT_MAX_BODY_BYTES, 1,
          256 * 1024 * 1024);
      routes.put(route, new RouteConfig(max));
    }
    return routes;
  }

  private static String routeIds() {
    List<String> ids = new ArrayList<>();
    for (Route r : Route.values()) {
      ids.add(r.id());
    }
    return String.join(", ", ids);
  }

  // ---- scalar readers: each adds a problem naming the path and returns a usable placeholder value ----

  private boolean object(JsonNode node, String path) {
    if (!node.isObject()) {
      problems.add(path + ": must be a mapping (key: value), found " + kind(node));
      return false;
    }
    return true;
  }

  private void knownKeys(JsonNode node, String path, String... keys) {
    ConfigNodes.knownKeys(node, path, problems, keys);
  }

  private String string(JsonNode node, String path, String key, String fallback) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isValueNode() || v.isBoolean()) {
      problems.add(path + "." + key + ": must be a string, found " + kind(v));
      return fallback;
    }
    String resolved = secrets.resolve(v.asText(), path + "." + key, problems);
    return resolved == null ? fallback : resolved;
  }

  private int integer(JsonNode node, String path, String key, int fallback, int min, int max) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber()) {
      problems.add(path + "." + key + ": must be a whole number, found " + kind(v) + " '" + v.asText() + "'");
      return fallback;
    }
    int value = v.asInt();
    if (value < min || value > max) {
      problems.add(path + "." + key + ": " + value + " is out of range " + min + ".." + max);
      return fallback;
    }
    return value;
  }

  private Duration duration(JsonNode node, String path, String key, Duration fallback) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return fallback;
    }
    Duration d = v.isTextual() ? Durations.parse(v.asText()) : null;
    if (d == null) {
      problems.add(path + "." + key + ": '" + v.asText() + "' is not a duration; " + Durations.EXAMPLES);
      return fallback;
    }
    if (d.isZero()) {
      problems.add(path + "." + key + ": must be greater than zero");
      return fallback;
    }
    return d;
  }

  private Path file(JsonNode node, String path, String key, boolean required) {
    String value = string(node, path, key, null);
    if (value == null) {
      if (required) {
        problems.add(path + "." + key + ": missing (path to a PEM file)");
      }
      return null;
    }
    Path p = secretsBase().resolve(value);
    if (!Files.isReadable(p)) {
      problems.add(path + "." + key + ": file " + p + " does not exist or is not readable");
    }
    return p;
  }

  private Path secretsBase() {
    return secrets.baseDir();
  }

  private static String kind(JsonNode node) {
    if (node.isMissingNode()) {
      return "nothing";
    }
    return switch (node.getNodeType()) {
      case ARRAY -> "a list";
      case OBJECT -> "a mapping";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
    };
  }
}

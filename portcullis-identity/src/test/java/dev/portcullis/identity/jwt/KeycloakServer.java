package dev.portcullis.identity.jwt;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Keycloak (the distribution from Maven Central, unpacked into {@code target/} by the build) run as a
 * child process in dev mode on a free loopback port with an in-memory database, and driven through its admin
 * REST API: realms, client-credentials clients with audience and claim mappers, and signing-key rotation.
 * Every wait is bounded; {@link #close()} and JVM exit end the process.
 */
final class KeycloakServer implements AutoCloseable {

  /** System property, set by the module's Surefire configuration, naming the unpacked distribution. */
  static final String HOME_PROPERTY = "portcullis.keycloak.home";

  private static final String KEY_PROVIDER_TYPE = "org.keycloak.keys.KeyProvider";
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A confidential client whose service account obtains tokens with the client-credentials grant. */
  record RegisteredClient(String clientId, String secret, String serviceAccountUserId) {}

  /** A realm's active signing key and the key provider (component) that holds it. */
  record SigningKey(String kid, String providerId, long priority) {}

  private final Process process;
  private final Path log;
  private final URI base;
  private final String adminPassword;
  private final HttpClient http;
  private final Thread killOnExit;

  private KeycloakServer(Process process, Path log, URI base, String adminPassword, Thread killOnExit) {
    this.process = process;
    this.log = log;
    this.base = base;
    this.adminPassword = adminPassword;
    this.killOnExit = killOnExit;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** The distribution unpacked by Maven; skips the calling test when run outside Maven (e.g. from an IDE). */
  static Path homeFromBuild() {
    String home = System.getProperty(HOME_PROPERTY);
    Assumptions.assumeTrue(home != null, HOME_PROPERTY + " is not set: run through Maven, which unpacks Keycloak");
    Path path = Path.of(home);
    if (!Files.isExecutable(path.resolve("bin/kc.sh"))) {
      throw new IllegalStateException(
          "no Keycloak distribution at " + path + " (see maven-dependency-plugin in the pom)");
    }
    return path;
  }

  /**
   * Starts {@code bin/kc.sh start-dev} from {@code home} with this JVM's Java, and waits up to {@code startupTimeout}
   * for its OIDC discovery document. The server's output goes to {@code keycloak-<port>.log} beside {@code home}.
   */
  static KeycloakServer start(Path home, Duration startupTimeout) {
    int port = freePort();
    int managementPort = freePort();
    String adminPassword = randomToken();
    Path log = home.getParent().resolve("keycloak-" + port + ".log");
    ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/kc.sh").toString(), "start-dev",
        "--http-host=127.0.0.1", "--http-port=" + port, "--http-management-port=" + managementPort,
        "--db=dev-mem", "--hostname-strict=false")
        .directory(home.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
    env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", adminPassword);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + home.resolve("bin/kc.sh"), e);
    }
    Thread killOnExit = new Thread(() -> kill(process), "keycloak-kill-on-exit");
    Runtime.getRuntime().addShutdownHook(killOnExit);
    KeycloakServer server = new KeycloakServer(process, log, URI.create("http://127.0.0.1:" + port), adminPassword,
        killOnExit);
    try {
      await("Keycloak on port " + port).atMost(startupTimeout).pollInterval(Duration.ofMillis(500))
          .until(server::ready);
    } catch (RuntimeException e) {
      server.close();
      throw new IllegalStateException("Keycloak did not start within " + startupTimeout + "; log tail:\n"
          + server.logTail(40), e);
    }
    return server;
  }

  /** The issuer ({@code iss}) of a realm's tokens. */
  String issuer(String realm) {
    return base + "/realms/" + realm;
  }

  /** The realm's JWKS endpoint, as its discovery document names it. */
  URI jwksUri(String realm) {
    URI discovery = URI.create(issuer(realm) + "/.well-known/openid-configuration");
    return URI.create(json(send(HttpRequest.newBuilder(discovery).GET(), 200)).path("jwks_uri").asText());
  }

  /** Creates an enabled realm with the given client scopes, each listed in the {@code scope} claim of tokens. */
  void createRealm(String realm, List<String> scopes) {
    ObjectNode rep = JSON.createObjectNode().put("realm", realm).put("enabled", true);
    ArrayNode clientScopes = rep.putArray("clientScopes");
    for (String scope : scopes) {
      clientScopes.addObject().put("name", scope).put("protocol", "openid-connect")
          .putObject("attributes").put("include.in.token.scope", "true");
    }
    admin("POST", "/admin/realms", rep, 201);
  }

  /**
   * Registers a confidential client that may use the client-credentials grant, whose access tokens carry
   * {@code audience} in {@code aud}, each of {@code claims} as a string claim, and {@code scopes} in {@code scope}.
   */
  RegisteredClient registerClient(String realm, String clientId, String audience, Map<String, String> claims,
      List<String> scopes) {
    String secret = randomToken();
    ObjectNode rep = JSON.createObjectNode()
        .put("clientId", clientId).put("enabled", true).put("protocol", "openid-connect")
        .put("publicClient", false).put("secret", secret).put("serviceAccountsEnabled", true)
        .put("standardFlowEnabled", false).put("directAccessGrantsEnabled", false);
    scopes.forEach(rep.putArray("defaultClientScopes")::add);
    rep.putArray("optionalClientScopes");
    ArrayNode mappers = rep.putArray("protocolMappers");
    mappers.addObject().put("name", "audience").put("protocol", "openid-connect")
        .put("protocolMapper", "oidc-audience-mapper").putObject("config")
        .put("included.custom.audience", audience).put("access.token.claim", "true").put("id.token.claim", "false");
    claims.forEach((name, value) -> mappers.addObject().put("name", "claim-" + name).put("protocol", "openid-connect")
        .put("protocolMapper", "oidc-hardcoded-claim-mapper").putObject("config")
        .put("claim.name", name).put("claim.value", value).put("jsonType.label", "String")
        .put("access.token.claim", "true"));
    String id = createdId(admin("POST", "/admin/realms/" + realm + "/clients", rep, 201));
    String clientPath = "/admin/realms/" + realm + "/clients/" + id;
    JsonNode user = json(admin("GET", clientPath + "/service-account-user", null, 200));
    return new RegisteredClient(clientId, secret, user.path("id").asText());
  }

  /** An access token for {@code client} from the realm's token endpoint (RFC 6749 §4.4, HTTP Basic client auth). */
  String clientCredentialsToken(String realm, RegisteredClient client) {
    String basic = Base64.getEncoder().encodeToString(
        (form(client.clientId()) + ":" + form(client.secret())).getBytes(StandardCharsets.UTF_8));
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(issuer(realm) + "/protocol/openid-connect/token"))
        .header("Authorization", "Basic " + basic)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"));
    return json(send(request, 200)).path("access_token").asText();
  }

  /** The realm's active RS256 signing key. */
  SigningKey activeSigningKey(String realm) {
    JsonNode keys = json(admin("GET", "/admin/realms/" + realm + "/keys", null, 200));
    String kid = keys.path("active").path("RS256").asText(null);
    for (JsonNode key : keys.path("keys")) {
      if (key.path("kid").asText().equals(kid)) {
        return new SigningKey(kid, key.path("providerId").asText(), key.path("providerPriority").asLong());
      }
    }
    throw new IllegalStateException("realm " + realm + " has no active RS256 key: " + keys);
  }

  /**
   * Adds a generated RS256 key provider with {@code priority}; when that is the highest, the new key signs every
   * token from now on while the older keys stay published until removed. Returns the new key.
   */
  SigningKey addSigningKey(String realm, long priority) {
    String realmId = json(admin("GET", "/admin/realms/" + realm, null, 200)).path("id").asText();
    ObjectNode rep = JSON.createObjectNode().put("name", "rsa-" + priority).put("providerId", "rsa-generated")
        .put("providerType", KEY_PROVIDER_TYPE).put("parentId", realmId);
    ObjectNode config = rep.putObject("config");
    config.putArray("priority").add(Long.toString(priority));
    config.putArray("enabled").add("true");
    config.putArray("active").add("true");
    config.putArray("algorithm").add("RS256");
    config.putArray("keySize").add("2048");
    String providerId = createdId(admin("POST", "/admin/realms/" + realm + "/components", rep, 201));
    for (JsonNode key : json(admin("GET", "/admin/realms/" + realm + "/keys", null, 200)).path("keys")) {
      if (key.path("providerId").asText().equals(providerId) && "RS256".equals(key.path("algorithm").asText())) {
        return new SigningKey(key.path("kid").asText(), providerId, priority);
      }
    }
    throw new IllegalStateException("key provider " + providerId + " published no RS256 key");
  }

  /** Deletes a key provider: its keys stop signing and disappear from the JWKS document. */
  void removeKeyProvider(String realm, String providerId) {
    admin("DELETE", "/admin/realms/" + realm + "/components/" + providerId, null, 204);
  }

  /** Stops the server, waiting a bounded time before killing it. */
  @Override
  public void close() {
    kill(process);
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException alreadyExiting) {
      // the hook is running or has run
    }
  }

  private static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private boolean ready() {
    if (!process.isAlive()) {
      throw new IllegalStateException("Keycloak exited with status " + process.exitValue());
    }
    try {
      HttpResponse<Void> response = http.send(
          HttpRequest.newBuilder(URI.create(issuer("master") + "/.well-known/openid-configuration"))
              .timeout(Duration.ofSeconds(5)).GET().build(),
          HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (IOException notListeningYet) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** One admin REST call with a fresh admin token (the master realm's tokens live only a minute). */
  private HttpResponse<String> admin(String method, String path, JsonNode body, int expectedStatus) {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
        .header("Authorization", "Bearer " + adminToken())
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.toString()));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return send(request, expectedStatus);
  }

  private String adminToken() {
    String form = "grant_type=password&client_id=admin-cli&username=admin&password=" + form(adminPassword);
    URI tokenEndpoint = URI.create(issuer("master") + "/protocol/openid-connect/token");
    HttpRequest.Builder request = HttpRequest.newBuilder(tokenEndpoint)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form));
    return json(send(request, 200)).path("access_token").asText();
  }

  private HttpResponse<String> send(HttpRequest.Builder request, int expectedStatus) {
    HttpResponse<String> response;
    try {
      response = http.send(request.timeout(CALL_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    if (response.statusCode() != expectedStatus) {
      throw new IllegalStateException(response.request().method() + " " + response.uri() + " answered "
          + response.statusCode() + " (expected " + expectedStatus + "): " + response.body());
    }
    return response;
  }

  private static JsonNode json(HttpResponse<String> response) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String createdId(HttpResponse<String> response) {
    String location = response.headers().firstValue("Location")
        .orElseThrow(() -> new IllegalStateException("no Location in answer to " + response.uri()));
    return location.substring(location.lastIndexOf('/') + 1);
  }

  private String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  private static String form(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static String randomToken() {
    byte[] bytes = new byte[18];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

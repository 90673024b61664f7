package dev.portcullis.cli;

import dev.portcullis.app.Portcullis;
import dev.portcullis.auth.IdentityRuntime;
import dev.portcullis.config.ConfigException;
import dev.portcullis.identity.apikey.ApiKeyService;
import dev.portcullis.identity.store.Plan;
import dev.portcullis.identity.store.PrincipalKind;
import dev.portcullis.identity.store.StoredPrincipal;
import dev.portcullis.identity.store.Tenant;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.LiveConfig;
import dev.portcullis.server.Gateway;
import dev.portcullis.testkit.SimulatedUpstream;
import dev.portcullis.testkit.SimulatorOptions;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code portcullis demo}: the gateway in front of a built-in simulated OpenAI-compatible upstream. Needs nothing
 * else installed; binds to loopback unless told otherwise.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the gateway in front of a built-in simulated LLM upstream.")
final class DemoCommand implements Callable<Integer> {

  private static final SecureRandom RANDOM = new SecureRandom();

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "8080", description = "Gateway port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--admin-port", defaultValue = "9090", description = "Admin port (default: ${DEFAULT-VALUE}).")
  int adminPort;

  @Option(names = "--token-rate", defaultValue = "20", description = "Simulated tokens per second when streaming "
      + "(default: ${DEFAULT-VALUE}).")
  double tokenRate;

  @Option(names = "--first-token-delay", defaultValue = "200", description = "Simulated delay before the first "
      + "token, in milliseconds (default: ${DEFAULT-VALUE}).")
  long firstTokenDelayMillis;

  @Override
  public Integer call() throws Exception {
    if (tokenRate < 0 || firstTokenDelayMillis < 0) {
      System.err.println("portcullis demo: --token-rate and --first-token-delay must not be negative");
      return 2;
    }
    Vertx vertx = Vertx.vertx();
    SimulatedUpstream upstream = SimulatedUpstream.start(vertx, SimulatorOptions.defaults()
        .withRate(tokenRate, Duration.ofMillis(firstTokenDelayMillis)).withReplyTokens(24)).await();
    Path dir = Files.createTempDirectory("portcullis-demo");
    LiveConfig live;
    try {
      live = LiveConfig.fixed(ConfigLoader.parse(config(upstream.baseUrl(), dir), System::getenv, dir,
          Portcullis.SECTIONS));
    } catch (ConfigException e) {
      System.err.println("portcullis demo: " + String.join("; ", e.problems()));
      vertx.close();
      return 1;
    }
    Vertx gatewayVertx = Gateway.createVertx(live.current());
    Portcullis portcullis;
    try {
      portcullis = Portcullis.start(gatewayVertx, live, Clock.systemUTC());
    } catch (RuntimeException e) {
      System.err.println("portcullis demo: cannot start: " + e.getMessage());
      vertx.close();
      gatewayVertx.close();
      return 1;
    }
    String key = demoKey(portcullis.identity());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      Lifecycle.stop(portcullis, gatewayVertx);
      vertx.close();
      deleteQuietly(dir);
    }, "portcullis-shutdown"));
    Gateway gateway = portcullis.gateway();
    String base = "http://" + (host.equals("0.0.0.0") ? "127.0.0.1" : host) + ":" + gateway.port();
    System.out.println(banner(base, upstream.baseUrl(), gateway.adminPort(), key));
    System.out.flush();
    Lifecycle.awaitForever();
    return 0;
  }

  /** Creates the demo plan, tenant, application and key; returns the key (shown once, as always). */
  private static String demoKey(IdentityRuntime identity) {
    identity.store().createPlan(new Plan("demo", "Demo plan"));
    identity.store().createTenant(new Tenant("demo", "Demo tenant", "demo", Instant.now(), false));
    identity.store().createPrincipal(new StoredPrincipal("demo-app", "demo", PrincipalKind.APPLICATION, null,
        Map.of(), Instant.now()));
    return identity.keys().create(new ApiKeyService.KeySpec("demo", "demo-app", "test", Set.of(), List.of(), null))
        .secret();
  }

  private static void deleteQuietly(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (java.io.IOException e) {
          // a temp file; the OS cleans it eventually
        }
      });
    } catch (java.io.IOException e) {
      // a temp directory; the OS cleans it eventually
    }
  }

  private String config(String upstreamUrl, Path dir) {
    byte[] pepper = new byte[32];
    RANDOM.nextBytes(pepper);
    return """
        server:
          listeners:
            - name: public
              host: "%s"
              port: %d
        admin:
          host: "127.0.0.1"
          port: %d
        upstreams:
          - name: simulator
            base-url: "%s"
            models: [sim-small, sim-large, sim-embed]
        identity:
          store: {sqlite: "%s"}
          api-keys:
            pepper: "%s"
        """.formatted(host, port, adminPort, upstreamUrl, dir.resolve("demo.db"),
        HexFormat.of().formatHex(pepper));
  }

  private static String banner(String base, String upstream, int adminPort, String key) {
    return """

        Portcullis demo is running.
          gateway:   %1$s/v1   (OpenAI-compatible; models sim-small, sim-large, sim-embed)
          upstream:  %2$s   (built-in simulator)
          admin:     http://127.0.0.1:%3$d   (metrics at /metrics, admin API at /admin/v1/)
          API key:   %4$s   (tenant demo, application demo-app)

        Try:
          curl -s %1$s/v1/chat/completions -H 'authorization: Bearer %4$s' \\
            -H 'content-type: application/json' \\
            -d '{"model":"sim-small","messages":[{"role":"user","content":"Hello"}]}'

          curl -sN %1$s/v1/chat/completions -H 'authorization: Bearer %4$s' \\
            -H 'content-type: application/json' \\
            -d '{"model":"sim-small","stream":true,"messages":[{"role":"user","content":"Hello"}]}'

          curl -s -X POST http://127.0.0.1:%3$d/admin/v1/tenants/demo/keys \\
            -H 'content-type: application/json' -d '{"principal":"demo-app","environment":"test"}'

        Press Ctrl+C to stop.
        """.formatted(base, upstream, adminPort, key);
  }
}

package dev.portcullis.bench.identity;

import dev.portcullis.identity.AuthResult;
import dev.portcullis.identity.apikey.ApiKeyAuthenticator;
import dev.portcullis.identity.apikey.ApiKeyHasher;
import dev.portcullis.identity.apikey.ApiKeyService;
import dev.portcullis.identity.apikey.ApiKeySettings;
import dev.portcullis.identity.apikey.KeyInvalidations;
import dev.portcullis.identity.apikey.LastUsedRecorder;
import dev.portcullis.identity.store.IdentityStore;
import dev.portcullis.identity.store.IdentityStores;
import dev.portcullis.identity.store.Plan;
import dev.portcullis.identity.store.PrincipalKind;
import dev.portcullis.identity.store.StoredPrincipal;
import dev.portcullis.identity.store.Tenant;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue item 10: an API key check with 100,000 keys in the store, all cached (the steady state of a gateway),
 * keys picked uniformly at random. Target: at most 2 µs per check.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class ApiKeyCheckBenchmark {

  @Param("100000")
  int keys;

  Path dir;
  IdentityStore store;
  ExecutorService workers;
  ApiKeyAuthenticator authenticator;
  String[] secrets;
  InetAddress client;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("pc-bench-identity");
    store = IdentityStores.sqlite(dir.resolve("identity.db"));
    Clock clock = Clock.systemUTC();
    store.createPlan(new Plan("pro", "Pro"));
    store.createTenant(new Tenant("acme", "Acme", "pro", clock.instant(), false));
    store.createPrincipal(new StoredPrincipal("app", "acme", PrincipalKind.APPLICATION, null, Map.of(),
        clock.instant()));
    ApiKeyHasher hasher = new ApiKeyHasher("bench-pepper-bench-pepper-bench-pepper".getBytes());
    KeyInvalidations bus = KeyInvalidations.inProcess();
    ApiKeyService service = new ApiKeyService(store, hasher, clock, bus);
    secrets = new String[keys];
    for (int i = 0; i < keys; i++) {
      secrets[i] = service.create(new ApiKeyService.KeySpec("acme", "app", "live", Set.of("chat"),
          List.of("10.0.0.0/8"), null)).secret();
    }
    workers = Executors.newFixedThreadPool(2);
    ApiKeySettings settings = new ApiKeySettings(Set.of("live"), 200_000, Duration.ofHours(1), 100_000,
        Duration.ofSeconds(10));
    authenticator = new ApiKeyAuthenticator(store, hasher, workers, clock, settings,
        new LastUsedRecorder(store, workers, 200_000), bus);
    client = InetAddress.ofLiteral("10.1.2.3");
    for (String secret : secrets) {
      AuthResult r = authenticator.authenticate(secret, client).toCompletableFuture().get();
      if (!(r instanceof AuthResult.Authenticated)) {
        throw new IllegalStateException("warm-up check refused: " + r);
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    authenticator.close();
    workers.shutdownNow();
    store.close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  public AuthResult cachedCheck() {
    String secret = secrets[ThreadLocalRandom.current().nextInt(secrets.length)];
    CompletableFuture<AuthResult> result = authenticator.authenticate(secret, client).toCompletableFuture();
    return result.getNow(null);
  }
}

package dev.portcullis.identity.jwt;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.Resource;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link KeySource} that loads a JWK set from a URL or a file, keeps only the public keys fit to verify signatures
 * ({@link VerificationKeys}: an unusable key is skipped, logged by kid and counted, never the whole set), refreshes
 * it in the background, and reloads on demand at most once per minimum interval. Loads run on the given executor;
 * a failed load keeps the previous keys and is counted.
 */
public final class Jwks implements KeySource {

  /** Largest JWKS document accepted. */
  public static final int MAX_BYTES = 256 * 1024;

  private final String name;
  private static final Logger LOG = LoggerFactory.getLogger(Jwks.class);

  private final Callable<String> loader;
  private final ScheduledExecutorService executor;
  private final Clock clock;
  private final Duration minReloadInterval;
  private final Duration refreshInterval;
  private final AtomicReference<JWKSet> keys = new AtomicReference<>();
  private final AtomicReference<CompletableFuture<JWKSet>> inFlight = new AtomicReference<>();
  private final AtomicLong lastLoadStartMillis = new AtomicLong(Long.MIN_VALUE / 2);
  private final AtomicLong loads = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile List<String> skipped = List.of();
  private volatile ScheduledFuture<?> refresher;

  /** Timing of a key source. */
  public record Settings(Duration refreshInterval, Duration minReloadInterval, Duration httpTimeout) {
    public Settings {
      if (refreshInterval.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("refreshInterval must be at least one second");
      }
      if (minReloadInterval.isNegative() || minReloadInterval.isZero()) {
        throw new IllegalArgumentException("minReloadInterval must be positive: it bounds fetches caused by tokens");
      }
      if (httpTimeout.isNegative() || httpTimeout.isZero() || httpTimeout.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("httpTimeout must be positive");
      }
    }

    /** Refresh every 5 minutes, reload on unknown key at most every 30 s, 5 s HTTP timeouts. */
    public static Settings defaults() {
      return new Settings(Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofSeconds(5));
    }
  }

  private Jwks(String name, Callable<String> loader, Settings settings, ScheduledExecutorService executor,
      Clock clock) {
    this.name = name;
    this.loader = loader;
    this.executor = Objects.requireNonNull(executor, "executor");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.minReloadInterval = settings.minReloadInterval();
    this.refreshInterval = settings.refreshInterval();
  }

  /** Keys fetched over HTTP(S) from {@code uri}; call {@link #start(Duration)} to load and refresh them. */
  public static Jwks remote(URI uri, Settings settings, ScheduledExecutorService executor, Clock clock) {
    String scheme = uri.getScheme();
    if (!"https".equalsIgnoreCase(scheme) && !"http".equalsIgnoreCase(scheme)) {
      throw new IllegalArgumentException("a JWKS URL must be http or https: " + uri);
    }
    int timeout = (int) settings.httpTimeout().toMillis();
    DefaultResourceRetriever retriever = new DefaultResourceRetriever(timeout, timeout, MAX_BYTES);
    Callable<String> loader = () -> {
      Resource resource = retriever.retrieveResource(uri.toURL());
      return resource.getContent();
    };
    return new Jwks(uri.toString(), loader, settings, executor, clock);
  }

  /** Keys read from a local file (air-gapped sites); reloaded on refresh and on unknown key ids. */
  public static Jwks file(Path path, Settings settings, ScheduledExecutorService executor, Clock clock) {
    Callable<String> loader = () -> {
      if (Files.size(path) > MAX_BYTES) {
        throw new IllegalStateException("JWKS file larger than " + MAX_BYTES + " bytes: " + path);
      }
      return Files.readString(path);
    };
    return new Jwks(path.toString(), loader, settings, executor, clock);
  }

  /**
   * Loads the keys now (waiting up to {@code initialWait} for them) and schedules background refreshes.
   * Returns whether keys were loaded; when not, tokens from this issuer are refused until a load succeeds.
   */
  public boolean start(Duration initialWait) {
    CompletableFuture<JWKSet> first = load();
    long period = refreshInterval.toMillis();
    refresher = executor.scheduleWithFixedDelay(this::load, period, period, TimeUnit.MILLISECONDS);
    try {
      first.get(initialWait.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (Exception e) {
      return keys.get() != null;
    }
  }

  @Override
  public JWKSet current() {
    return keys.get();
  }

  @Override
  public CompletionStage<JWKSet> reload() {
    long now = clock.millis();
    long last = lastLoadStartMillis.get();
    if (now - last < minReloadInterval.toMillis()) {
      CompletableFuture<JWKSet> running = inFlight.get();
      if (running != null) {
        return running;
      }
      JWKSet snapshot = keys.get();
      return snapshot != null
          ? CompletableFuture.completedFuture(snapshot)
          : CompletableFuture.failedFuture(new IllegalStateException("no keys loaded from " + name));
    }
    return load();
  }

  /** Completed loads, successful or not. */
  public long loads() {
    return loads.get();
  }

  /** Loads that failed; the previous keys stayed in use. */
  public long failures() {
    return failures.get();
  }

  /** Keys of the last loaded document that are not used (unparseable, not for signatures, too weak). */
  public int skippedKeys() {
    return skipped.size();
  }

  @Override
  public void close() {
    ScheduledFuture<?> r = refresher;
    if (r != null) {
      r.cancel(false);
    }
  }

  /** Notes the keys a document skipped: a warning when that list changes, so a refresh does not repeat it. */
  private JWKSet accept(VerificationKeys.Loaded loaded) {
    List<String> previous = skipped;
    skipped = loaded.skipped();
    if (!loaded.skipped().isEmpty() && !loaded.skipped().equals(previous)) {
      LOG.warn("jwks {}: {} of {} keys not used for verification: {}", name, loaded.skipped().size(),
          loaded.skipped().size() + loaded.keys().size(), String.join("; ", loaded.skipped()));
    }
    return loaded.keys();
  }

  private CompletableFuture<JWKSet> load() {
    CompletableFuture<JWKSet> mine = new CompletableFuture<>();
    CompletableFuture<JWKSet> running = inFlight.compareAndExchange(null, mine);
    if (running != null) {
      return running;
    }
    lastLoadStartMillis.set(clock.millis());
    try {
      executor.execute(() -> {
        try {
          JWKSet loaded = accept(VerificationKeys.parse(loader.call()));
          keys.set(loaded);
          loads.incrementAndGet();
          inFlight.set(null);
          mine.complete(loaded);
        } catch (Exception e) {
          failures.incrementAndGet();
          loads.incrementAndGet();
          inFlight.set(null);
          JWKSet previous = keys.get();
          if (previous != null) {
            mine.complete(previous);
          } else {
            mine.completeExceptionally(new IllegalStateException("cannot load keys from " + name, e));
          }
        }
      });
    } catch (RuntimeException rejected) {
      inFlight.set(null);
      mine.completeExceptionally(rejected);
    }
    return mine;
  }
}

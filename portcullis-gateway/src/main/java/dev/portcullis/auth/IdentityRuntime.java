package dev.portcullis.auth;

import com.nimbusds.jose.JWSAlgorithm;
import dev.portcullis.identity.Identifier;
import dev.portcullis.identity.apikey.ApiKeyAuthenticator;
import dev.portcullis.identity.apikey.ApiKeyHasher;
import dev.portcullis.identity.apikey.ApiKeyService;
import dev.portcullis.identity.apikey.ApiKeySettings;
import dev.portcullis.identity.apikey.ApiKeySigningKeys;
import dev.portcullis.identity.apikey.KeyInvalidations;
import dev.portcullis.identity.apikey.LastUsedRecorder;
import dev.portcullis.identity.hmac.HmacAuthenticator;
import dev.portcullis.identity.hmac.InMemoryNonceStore;
import dev.portcullis.identity.hmac.NonceStore;
import dev.portcullis.identity.redis.RedisKeyInvalidations;
import dev.portcullis.identity.redis.RedisNonceStore;
import io.lettuce.core.RedisClient;
import dev.portcullis.identity.jwt.JwtAuthenticator;
import dev.portcullis.identity.jwt.Jwks;
import dev.portcullis.identity.jwt.KeySource;
import dev.portcullis.identity.jwt.TokenDenyList;
import dev.portcullis.identity.jwt.TrustedIssuer;
import dev.portcullis.identity.mtls.CertificateAuthenticator;
import dev.portcullis.identity.oauth.IssuerSettings;
import dev.portcullis.identity.oauth.RevokedTokens;
import dev.portcullis.identity.oauth.SigningKeyRing;
import dev.portcullis.identity.oauth.TokenIssuer;
import dev.portcullis.identity.store.IdentityStore;
import dev.portcullis.identity.store.IdentityStores;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity parts a running gateway uses, built once from {@link IdentitySettings}: the store, the credential
 * authenticators behind one {@link Identifier}, and the key service the admin API calls. Store calls run on a
 * bounded pool of their own; when it is full, lookups are refused (fail closed) rather than queued without end.
 */
public final class IdentityRuntime implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(IdentityRuntime.class);
  /** Store threads, and the most store calls that may wait for one. */
  private static final int STORE_THREADS = 8;
  private static final int STORE_QUEUE = 10_000;

  private final IdentitySettings settings;
  private final IdentityStore store;
  private final ThreadPoolExecutor executor;
  private final ScheduledExecutorService scheduler;
  private final ApiKeyAuthenticator apiKeys;
  private final ApiKeySigningKeys signingKeys;
  private final LastUsedRecorder lastUsed;
  private final List<KeySource> keySources;
  private final Identifier identifier;
  private final ApiKeyService keyService;
  private TokenIssuer oauth;
  private KeyInvalidations invalidations;
  private SigningKeyRing oauthKeys;

  private IdentityRuntime(IdentitySettings settings, IdentityStore store, ThreadPoolExecutor executor,
      ScheduledExecutorService scheduler, ApiKeyAuthenticator apiKeys, ApiKeySigningKeys signingKeys,
      LastUsedRecorder lastUsed, List<KeySource> keySources, Identifier identifier, ApiKeyService keyService) {
    this.settings = settings;
    this.store = store;
    this.executor = executor;
    this.scheduler = scheduler;
    this.apiKeys = apiKeys;
    this.signingKeys = signingKeys;
    this.lastUsed = lastUsed;
    this.keySources = keySources;
    this.identifier = identifier;
    this.keyService = keyService;
  }

  /** One instance: revocations and nonces stay in this process. */
  public static IdentityRuntime start(IdentitySettings settings, Clock clock) {
    return start(settings, clock, null, null);
  }

  /**
   * Opens the store (creating or migrating it) and starts key refreshes; blocks. With {@code redis}, revocations
   * and rotations reach every instance through pub/sub, and signed-request nonces are shared, so a request replayed
   * to another instance is refused too.
   */
  public static IdentityRuntime start(IdentitySettings settings, Clock clock, RedisClient redis, String prefix) {
    if (!settings.enabled()) {
      throw new IllegalArgumentException("identity is off (mode: none)");
    }
    IdentitySettings.Store s = settings.store();
    IdentityStore store = s.sqlite() != null ? IdentityStores.sqlite(s.sqlite())
        : IdentityStores.postgres(s.postgresUrl(), s.postgresUser(), s.postgresPassword(), s.poolSize());
    AtomicInteger threads = new AtomicInteger();
    ThreadPoolExecutor executor = new ThreadPoolExecutor(STORE_THREADS, STORE_THREADS, 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(STORE_QUEUE), r -> {
          Thread t = new Thread(r, "identity-store-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    executor.allowCoreThreadTimeOut(true);
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "identity-refresh");
      t.setDaemon(true);
      return t;
    });
    ApiKeyHasher hasher = new ApiKeyHasher(settings.pepper().getBytes(StandardCharsets.UTF_8));
    KeyInvalidations invalidations = redis == null ? KeyInvalidations.inProcess()
        : new RedisKeyInvalidations(redis, prefix + "key-invalidations");
    LastUsedRecorder lastUsed = new LastUsedRecorder(store, executor, 100_000);
    scheduler.scheduleWithFixedDelay(lastUsed::flushAsync, 5, 5, TimeUnit.SECONDS);
    ApiKeySettings defaults = ApiKeySettings.defaults();
    ApiKeyAuthenticator apiKeys = new ApiKeyAuthenticator(store, hasher, executor, clock,
        new ApiKeySettings(settings.environments(), defaults.cacheSize(), settings.cacheTtl(),
            defaults.negativeCacheSize(), defaults.negativeCacheTtl()), lastUsed, invalidations);

    List<KeySource> sources = new ArrayList<>();
    List<TrustedIssuer> issuers = new ArrayList<>();
    for (IdentitySettings.Issuer i : settings.issuers()) {
      Jwks keys = i.jwksUrl() != null ? Jwks.remote(i.jwksUrl(), Jwks.Settings.defaults(), scheduler, clock)
          : Jwks.file(i.jwksFile(), Jwks.Settings.defaults(), scheduler, clock);
      if (!keys.start(Duration.ofSeconds(5))) {
        LOG.warn("jwks not loaded yet for issuer {}; tokens are refused until it loads", i.issuer());
      }
      sources.add(keys);
      issuers.add(new TrustedIssuer(i.issuer(), i.audience(), keys,
          i.algorithms().stream().map(JWSAlgorithm::parse).collect(java.util.stream.Collectors.toSet()),
          i.tenantClaim(), i.tenant(), i.planClaim(), i.plan(), i.maxSkew(), i.maxTokenLifetime()));
    }
    TokenIssuer oauth = null;
    SigningKeyRing oauthKeys = null;
    TokenDenyList denyList = TokenDenyList.NONE;
    if (settings.oauth() != null) {
      IdentitySettings.OAuth o = settings.oauth();
      SigningKeyRing ring = SigningKeyRing.stored(store, hasher, clock, o.tokenTtl().plusMinutes(1));
      oauthKeys = ring;
      repeat(scheduler, ring::expireRetired, Duration.ofSeconds(60),
          "signing key refresh failed; keeping the keys held");
      repeat(scheduler, ring::rotate, o.keyRotation(),
          "signing key rotation failed; the current key keeps signing");
      RevokedTokens revoked = new RevokedTokens(store, 100_000, clock);
      revoked.refresh();
      repeat(scheduler, revoked::refresh, Duration.ofSeconds(1), "reading token revocations failed; retrying in 1 s");
      repeat(scheduler, revoked::purgeExpired, Duration.ofMinutes(10), "purging expired token revocations failed");
      NonceStore assertionIds;
      if (redis == null) {
        assertionIds = new InMemoryNonceStore(100_000, clock);
        LOG.info("OAuth client assertions: used ids are kept in this process; with several instances, configure"
            + " redis so that a captured assertion cannot be replayed to another instance");
      } else {
        assertionIds = new RedisNonceStore(redis.connect(), prefix + "assertion:");
      }
      oauth = new TokenIssuer(store, hasher, ring, revoked, executor, clock,
          new IssuerSettings(o.issuer(), o.audience(), o.tokenTtl()), assertionIds);
      issuers.add(oauth.asTrustedIssuer());
      denyList = oauth.denyList();
    }
    JwtAuthenticator jwts = issuers.isEmpty() ? null
        : new JwtAuthenticator(issuers, clock, 100_000, Duration.ofMinutes(5), denyList);
    ApiKeySigningKeys signingKeys = null;
    HmacAuthenticator hmac = null;
    if (settings.signedRequests()) {
      signingKeys = new ApiKeySigningKeys(store, hasher, executor, clock, 100_000, settings.cacheTtl(),
          invalidations);
      NonceStore nonces = redis == null ? new InMemoryNonceStore(1_000_000, clock)
          : new RedisNonceStore(redis.connect(), prefix + "nonce:");
      hmac = new HmacAuthenticator(signingKeys, nonces, clock, settings.signedRequestSkew());
    }
    ApiKeyService keyService = new ApiKeyService(store, hasher, clock, invalidations);
    CertificateAuthenticator certificates = settings.certificates().isEmpty() ? null
        : new CertificateAuthenticator(settings.certificates(), store, executor, clock, settings.cacheTtl());
    IdentityRuntime runtime = new IdentityRuntime(settings, store, executor, scheduler, apiKeys, signingKeys,
        lastUsed, sources, new Identifier(apiKeys, jwts, hmac, certificates), keyService);
    runtime.invalidations = invalidations;
    runtime.oauth = oauth;
    runtime.oauthKeys = oauthKeys;
    return runtime;
  }

  /** Runs {@code task} every {@code period}; a failure is logged (type only) and the next run comes as planned. */
  private static void repeat(ScheduledExecutorService scheduler, Runnable task, Duration period, String failure) {
    long millis = period.toMillis();
    scheduler.scheduleWithFixedDelay(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.warn("{} ({})", failure, e.getClass().getSimpleName());
      }
    }, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Publishes, per configured issuer, how many keys of its JWK set are not used (skipped when loaded). */
  public void bindTo(MeterRegistry registry) {
    for (int i = 0; i < keySources.size(); i++) {
      if (keySources.get(i) instanceof Jwks jwks) {
        Gauge.builder("portcullis.jwks.skipped.keys", jwks, Jwks::skippedKeys)
            .description("Keys of an issuer's JWK set not used to verify (unparseable, not for signatures, too weak)")
            .tag("issuer", settings.issuers().get(i).issuer()).register(registry);
      }
    }
  }

  /** The built-in OAuth issuer, or null when {@code identity.oauth} is not configured. */
  public TokenIssuer oauth() {
    return oauth;
  }

  /** The built-in issuer's signing keys, or null. */
  public SigningKeyRing oauthKeys() {
    return oauthKeys;
  }

  /** Runs blocking identity work (store, secret hashing) off the event loop, on the bounded store pool. */
  public java.util.concurrent.Executor executor() {
    return executor;
  }

  public IdentitySettings settings() {
    return settings;
  }

  public Identifier identifier() {
    return identifier;
  }

  /** Blocking: call from a worker. */
  public IdentityStore store() {
    return store;
  }

  /** Blocking: call from a worker. */
  public ApiKeyService keys() {
    return keyService;
  }

  @Override
  public void close() {
    lastUsed.flush();
    for (KeySource source : keySources) {
      try {
        source.close();
      } catch (Exception e) {
        LOG.warn("closing a key source failed", e);
      }
    }
    apiKeys.close();
    if (signingKeys != null) {
      signingKeys.close();
    }
    scheduler.shutdownNow();
    executor.shutdown();
    if (invalidations instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.warn("closing key invalidations failed", e);
      }
    }
    store.close();
  }
}

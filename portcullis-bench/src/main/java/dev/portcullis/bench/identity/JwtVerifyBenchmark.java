package dev.portcullis.bench.identity;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.identity.AuthResult;
import dev.portcullis.identity.jwt.Jwks;
import dev.portcullis.identity.jwt.JwtAuthenticator;
import dev.portcullis.identity.jwt.TrustedIssuer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue item 10: verifying an ES256 JWT with the issuer's JWKS already cached. {@code fullVerification} runs the
 * signature check every time (a client presenting a new token); {@code repeatedToken} is a client reusing its
 * token, answered from the verified-token cache. Target: at most 20 µs.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class JwtVerifyBenchmark {

  static final String ISSUER = "https://idp.bench.test/";

  Path dir;
  ScheduledExecutorService executor;
  Jwks jwks;
  JwtAuthenticator uncached;
  JwtAuthenticator cached;
  String token;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    ECKey key = new ECKeyGenerator(Curve.P_256).keyID("bench-1").generate();
    dir = Files.createTempDirectory("pc-bench-jwt");
    Path file = dir.resolve("jwks.json");
    Files.writeString(file, new JWKSet(key).toPublicJWKSet().toString());
    executor = Executors.newSingleThreadScheduledExecutor();
    Clock clock = Clock.systemUTC();
    jwks = Jwks.file(file, Jwks.Settings.defaults(), executor, clock);
    if (!jwks.start(Duration.ofSeconds(5))) {
      throw new IllegalStateException("JWKS did not load");
    }
    TrustedIssuer issuer = new TrustedIssuer(ISSUER, "portcullis", jwks, Set.of(JWSAlgorithm.ES256), "tenant", null,
        null, "standard", Duration.ofSeconds(30));
    uncached = new JwtAuthenticator(List.of(issuer), clock);
    cached = new JwtAuthenticator(List.of(issuer), clock, 100_000, Duration.ofMinutes(5),
        dev.portcullis.identity.jwt.TokenDenyList.NONE);
    Instant now = Instant.now();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("bench-1").build(),
        new JWTClaimsSet.Builder().issuer(ISSUER).audience("portcullis").subject("svc-1").claim("tenant", "acme")
            .claim("scope", "chat embed").jwtID("j-1").issueTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(3600))).build());
    jwt.sign(new ECDSASigner(key));
    token = jwt.serialize();
    if (!(uncached.authenticate(token).toCompletableFuture().get() instanceof AuthResult.Authenticated)) {
      throw new IllegalStateException("benchmark token refused");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    jwks.close();
    executor.shutdownNow();
    Files.deleteIfExists(dir.resolve("jwks.json"));
    Files.deleteIfExists(dir);
  }

  @Benchmark
  public AuthResult fullVerification() {
    return uncached.authenticate(token).toCompletableFuture().getNow(null);
  }

  @Benchmark
  public AuthResult repeatedToken() {
    return cached.authenticate(token).toCompletableFuture().getNow(null);
  }
}

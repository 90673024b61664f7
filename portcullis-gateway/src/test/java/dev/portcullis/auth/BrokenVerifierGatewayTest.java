package dev.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.LiveConfig;
import dev.portcullis.identity.Identifier;
import dev.portcullis.identity.jwt.JwtAuthenticator;
import dev.portcullis.identity.jwt.KeySource;
import dev.portcullis.identity.jwt.TrustedIssuer;
import dev.portcullis.server.Gateway;
import dev.portcullis.testkit.SimulatedUpstream;
import dev.portcullis.testkit.SimulatorOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A verifier that cannot run (a class missing from the deployment, as Tink was for Ed25519) makes the gateway answer
 * 503, never 500 (issue 10 item 24). The key source stands in for the missing class by throwing the error the JVM
 * throws.
 */
class BrokenVerifierGatewayTest {

  static final String ISSUER = "https://idp.example.test/";
  static final HttpClient http = HttpClient.newHttpClient();
  static final AtomicReference<Error> failure = new AtomicReference<>();
  static ECKey key;
  static Vertx upstreamVertx;
  static Vertx vertx;
  static Gateway gateway;

  /** Keys that fail with {@link #failure} when set. */
  static final class FailingKeys implements KeySource {
    @Override
    public JWKSet current() {
      Error e = failure.get();
      if (e != null) {
        throw e;
      }
      return new JWKSet(key.toPublicJWK());
    }

    @Override
    public CompletionStage<JWKSet> reload() {
      return CompletableFuture.completedFuture(current());
    }

    @Override
    public void close() {}
  }

  @BeforeAll
  static void start() throws Exception {
    key = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    upstreamVertx = Vertx.vertx();
    SimulatedUpstream upstream = SimulatedUpstream.start(upstreamVertx, SimulatorOptions.defaults()).await();
    String yaml = """
        server: {event-loops: 1, listeners: [{name: public, host: 127.0.0.1, port: 0}]}
        admin: {host: 127.0.0.1, port: 0}
        upstreams: [{name: sim, base-url: "%s", models: [sim-small]}]
        """.formatted(upstream.baseUrl());
    LiveConfig live = LiveConfig.fixed(ConfigLoader.parse(yaml, Map.<String, String>of()::get,
        Files.createTempDirectory("broken-verifier")));
    JwtAuthenticator jwts = new JwtAuthenticator(List.of(new TrustedIssuer(ISSUER, "portcullis", new FailingKeys(),
        Set.of(JWSAlgorithm.ES256), null, "acme", null, "pro", Duration.ofSeconds(30))), Clock.systemUTC());
    vertx = Gateway.createVertx(live.current());
    gateway = Gateway.builder(live)
        .stage(new IdentifyStage(new Identifier(null, jwts, null), "portcullis", new SimpleMeterRegistry()))
        .start(vertx).await();
  }

  @AfterAll
  static void stop() {
    gateway.stop().await();
    vertx.close().await();
    upstreamVertx.close().await();
  }

  static HttpResponse<String> chat(String token) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port()
            + "/v1/chat/completions")).header("content-type", "application/json")
        .header("authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"sim-small\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String token() throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-1").build(),
        new JWTClaimsSet.Builder().issuer(ISSUER).audience("portcullis").subject("svc")
            .expirationTime(Date.from(Instant.now().plusSeconds(300))).build());
    jwt.sign(new ECDSASigner(key));
    return jwt.serialize();
  }

  @Test
  void aVerifierThatCannotRunAnswers503NotA500() throws Exception {
    String token = token();
    failure.set(null);
    assertThat(chat(token).statusCode()).isEqualTo(200);
    for (Error e : List.of(new NoClassDefFoundError("com/google/crypto/tink/subtle/Ed25519Verify"),
        new ExceptionInInitializerError("static initialiser failed"), new LinkageError("incompatible class"))) {
      failure.set(e);
      HttpResponse<String> res = chat(token());
      assertThat(res.statusCode()).as(e.toString()).isEqualTo(503);
      assertThat(res.body()).contains("auth_unavailable");
    }
    failure.set(null);
    assertThat(chat(token()).statusCode()).isEqualTo(200);
  }
}

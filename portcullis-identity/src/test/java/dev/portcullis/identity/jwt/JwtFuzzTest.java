package dev.portcullis.identity.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import dev.portcullis.identity.AuthResult;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Fuzzes JWT header and claims parsing. {@link #anyTokenIsAnsweredWithoutThrowing} feeds raw bearer text;
 * {@link #signedClaimsAreMappedWithoutThrowing} signs fuzzed header-less claims with the issuer's key, so that claim
 * mapping (times, scopes, tenant, confirmation) sees arbitrary JSON behind a valid signature. The authenticator must
 * complete at once with a result and never throw. Runs its seed corpus on every build; {@code JAZZER_FUZZ=1} fuzzes it
 * (docs/security-testing.md).
 */
class JwtFuzzTest {

  static final String ISSUER = "https://idp.example.test/";
  static final ECKey KEY;
  static final JwtAuthenticator AUTH;

  static {
    try {
      KEY = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    JWKSet keys = new JWKSet(KEY.toPublicJWK());
    KeySource source = new KeySource() {
      @Override
      public JWKSet current() {
        return keys;
      }

      @Override
      public CompletionStage<JWKSet> reload() {
        return CompletableFuture.completedFuture(keys);
      }

      @Override
      public void close() {}
    };
    AUTH = new JwtAuthenticator(List.of(new TrustedIssuer(ISSUER, "portcullis", source,
        Set.of(JWSAlgorithm.ES256, JWSAlgorithm.RS256, JWSAlgorithm.EdDSA), "tenant", null, "plan", "standard",
        Duration.ofSeconds(30), Duration.ofHours(1))), Clock.systemUTC());
  }

  @FuzzTest(maxDuration = "60s")
  void anyTokenIsAnsweredWithoutThrowing(byte[] input) {
    answered(new String(input, StandardCharsets.UTF_8));
  }

  @FuzzTest(maxDuration = "60s")
  void signedClaimsAreMappedWithoutThrowing(byte[] claims) throws Exception {
    String header = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-1").build().toBase64URL().toString();
    String signingInput = header + "." + Base64URL.encode(claims);
    String signature = new ECDSASigner(KEY).sign(new JWSHeader(JWSAlgorithm.ES256),
        signingInput.getBytes(StandardCharsets.US_ASCII)).toString();
    answered(signingInput + "." + signature);
  }

  private static void answered(String token) {
    CompletableFuture<AuthResult> result = AUTH.authenticate(token).toCompletableFuture();
    assertThat(result).isCompleted();
    assertThat(result.join()).isNotNull();
  }
}

package dev.portcullis.identity.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Issue 10 item 24: a JWK set is read key by key; unusable keys are skipped with a reason. */
class VerificationKeysTest {

  @Test
  void keepsUsableKeysAndNamesEachSkippedOne() throws Exception {
    String good = new RSAKeyGenerator(2048).keyID("good").generate().toPublicJWK().toJSONString();
    String ec = new ECKeyGenerator(Curve.P_256).keyID("ec").generate().toPublicJWK().toJSONString();
    String verifyOps = new ECKeyGenerator(Curve.P_256).keyID("ops").keyOperations(Set.of(KeyOperation.VERIFY))
        .generate().toPublicJWK().toJSONString();
    String oct = new OctetSequenceKeyGenerator(256).keyID("oct").generate().toJSONString();
    String x25519 = "{\"kty\":\"OKP\",\"crv\":\"X25519\",\"kid\":\"x\",\"x\":\"" + Base64URL.encode(new byte[32]) + "\"}";
    VerificationKeys.Loaded loaded = VerificationKeys.parse("{\"keys\":[" + good + "," + ec + "," + verifyOps + ","
        + oct + "," + x25519 + ",\"text\",{\"kty\":\"RSA\",\"kid\":\"half\"}]}");
    assertThat(loaded.keys().getKeys()).extracting(k -> k.getKeyID()).containsExactly("good", "ec", "ops");
    assertThat(loaded.skipped()).containsExactly("kid 'oct': key type oct cannot verify with a public key",
        "kid 'x': curve X25519 does not sign", "#5: not a JSON object", "kid 'half': does not parse");
  }

  @Test
  void measuresAnRsaKeyByItsModulusNotItsEncodedLength() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(1024);
    RSAPublicKey weak = (RSAPublicKey) generator.generateKeyPair().getPublic();
    byte[] modulus = weak.getModulus().toByteArray();
    byte[] padded = new byte[256];
    System.arraycopy(modulus, 0, padded, padded.length - modulus.length, modulus.length);
    RSAKey disguised = new RSAKey.Builder(Base64URL.encode(padded), Base64URL.encode(weak.getPublicExponent()))
        .keyID("disguised").build();
    assertThat(disguised.size()).as("Nimbus counts the leading zero bytes").isEqualTo(2048);
    assertThat(VerificationKeys.refusal(disguised)).startsWith("RSA key of 1024 bits");
  }

  @Test
  void aDocumentWithoutAKeysListIsNotAJwkSet() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> VerificationKeys.parse("{\"keys\":{}}"))
        .isInstanceOf(java.text.ParseException.class);
  }
}

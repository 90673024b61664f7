package dev.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.portcullis.app.Portcullis;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.LiveConfig;
import dev.portcullis.server.Gateway;
import dev.portcullis.testkit.SimulatedUpstream;
import dev.portcullis.testkit.SimulatorOptions;
import io.vertx.core.Vertx;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * External JWT issuers end to end (issue 10 item 24): keys served over HTTP by a stand-in identity provider, tokens
 * sent through the gateway. One JWK set holds an Ed25519 key, a good RSA key and every kind of key that must not be
 * used: a 1024-bit RSA key, an RSA key for encryption ({@code use: enc}), one whose {@code key_ops} lack verify, and an
 * entry that does not parse.
 */
class JwtIssuerGatewayTest {

  static final String ISSUER = "https://idp.example.test/main";
  static final String SHORT_LIVED = "https://idp.example.test/short";
  static final String CHAT = "{\"model\":\"sim-small\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  static final HttpClient http = HttpClient.newHttpClient();

  /** Signed with the JDK's Ed25519, so that the test itself does not depend on the Tink classes the gateway ships. */
  static KeyPair ed25519;
  static OctetKeyPair ed25519Jwk;
  static RSAKey rsa;
  static RSAKey weakRsa;
  static RSAKey encryptionRsa;
  static RSAKey wrapOnlyRsa;
  static HttpServer idp;
  static Vertx upstreamVertx;
  static Vertx vertx;
  static Portcullis portcullis;

  @BeforeAll
  static void start() throws Exception {
    ed25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] encoded = ed25519.getPublic().getEncoded();
    ed25519Jwk = new OctetKeyPair.Builder(Curve.Ed25519,
        Base64URL.encode(Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length))).keyID("ed-1").build();
    rsa = new RSAKeyGenerator(2048).keyID("rsa-good").generate();
    weakRsa = rsa1024("rsa-weak");
    encryptionRsa = new RSAKeyGenerator(2048).keyID("rsa-enc").keyUse(KeyUse.ENCRYPTION).generate();
    wrapOnlyRsa = new RSAKeyGenerator(2048).keyID("rsa-wrap").keyOperations(Set.of(KeyOperation.WRAP_KEY))
        .generate();
    List<String> keys = new ArrayList<>();
    for (JWK key : List.of(ed25519Jwk, rsa, weakRsa, encryptionRsa, wrapOnlyRsa)) {
      keys.add(key.toPublicJWK().toJSONString());
    }
    // a point that is not on the curve: refused by the JWK parser
    keys.add("{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"broken\",\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
        + "\"y\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}");
    String jwks = "{\"keys\":[" + String.join(",", keys) + "]}";
    idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    idp.createContext("/jwks", exchange -> {
      byte[] body = jwks.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("content-type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    idp.start();
    String jwksUrl = "http://127.0.0.1:" + idp.getAddress().getPort() + "/jwks";

    upstreamVertx = Vertx.vertx();
    SimulatedUpstream upstream = SimulatedUpstream.start(upstreamVertx, SimulatorOptions.defaults()).await();
    Path dir = Files.createTempDirectory("jwt-issuer-test");
    String yaml = """
        server: {event-loops: 1, listeners: [{name: public, host: 127.0.0.1, port: 0}]}
        admin: {host: 127.0.0.1, port: 0}
        upstreams: [{name: sim, base-url: "%s", models: [sim-small]}]
        identity:
          store: {sqlite: ids.db}
          api-keys: {pepper: "pepper-for-tests-0123456789abcdef0123"}
          jwt:
            - {issuer: "%s", audience: portcullis, jwks-url: "%s", algorithms: [EdDSA, RS256], tenant: acme, plan: pro}
            - {issuer: "%s", audience: portcullis, jwks-url: "%s", algorithms: [EdDSA, RS256], tenant: acme, plan: pro,
               max-token-lifetime: 10m}
        """.formatted(upstream.baseUrl(), ISSUER, jwksUrl, SHORT_LIVED, jwksUrl);
    LiveConfig live = LiveConfig.fixed(ConfigLoader.parse(yaml, Map.<String, String>of()::get, dir,
        Portcullis.SECTIONS));
    vertx = Gateway.createVertx(live.current());
    portcullis = Portcullis.start(vertx, live, Clock.systemUTC());
  }

  @AfterAll
  static void stop() throws Exception {
    portcullis.stop().await();
    vertx.close().await();
    upstreamVertx.close().await();
    idp.stop(0);
  }

  static RSAKey rsa1024(String kid) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(1024);
    var pair = generator.generateKeyPair();
    return new RSAKey.Builder((RSAPublicKey) pair.getPublic()).privateKey((RSAPrivateKey) pair.getPrivate())
        .keyID(kid).build();
  }

  static JWTClaimsSet.Builder claims(String issuer) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder().issuer(issuer).audience("portcullis").subject("svc-reporting")
        .jwtID(UUID.randomUUID().toString()).issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)));
  }

  static String sign(JWSSigner signer, JWSAlgorithm alg, String kid, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  static String eddsa(JWTClaimsSet claims) throws Exception {
    return eddsa(ed25519.getPrivate(), claims);
  }

  static String eddsa(PrivateKey key, JWTClaimsSet claims) throws Exception {
    String signingInput = Base64URL.encode("{\"alg\":\"EdDSA\",\"kid\":\"ed-1\"}") + "."
        + Base64URL.encode(claims.toString());
    Signature signature = Signature.getInstance("Ed25519");
    signature.initSign(key);
    signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
    return signingInput + "." + Base64URL.encode(signature.sign());
  }

  static String rs256(RSAKey key, JWTClaimsSet claims) throws Exception {
    return sign(new RSASSASigner(key.toRSAPrivateKey(), true), JWSAlgorithm.RS256, key.getKeyID(), claims);
  }

  static HttpResponse<String> chat(String token) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + portcullis.gateway().port()
            + "/v1/chat/completions")).header("content-type", "application/json")
        .header("authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(CHAT)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String metrics() throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + portcullis.gateway().adminPort()
        + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  @Test
  void anEd25519TokenIsAcceptedEndToEnd() throws Exception {
    // issue 10 item 24: Nimbus needs Tink for Ed25519; without it a valid token got 500
    HttpResponse<String> res = chat(eddsa(claims(ISSUER).build()));
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    HttpResponse<String> forged = chat(eddsa(KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate(),
        claims(ISSUER).build()));
    assertThat(forged.statusCode()).isEqualTo(401);
  }

  @Test
  void oneUnusableKeyDoesNotDisableTheIssuersOtherKeys() throws Exception {
    // issue 10 item 24: one entry that does not parse used to fail the whole JWK set
    HttpResponse<String> res = chat(rs256(rsa, claims(ISSUER).build()));
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    assertThat(metrics()).containsPattern("portcullis_jwks_skipped_keys\\{issuer=\"" + ISSUER.replace(".", "\\.")
        + "\"} 4\\.0");
  }

  @Test
  void rsaKeysUnder2048BitsAreNotUsed() throws Exception {
    // issue 10 item 24
    HttpResponse<String> res = chat(rs256(weakRsa, claims(ISSUER).build()));
    assertThat(res.statusCode()).as(res.body()).isEqualTo(401);
    assertThat(res.headers().firstValue("www-authenticate").orElse("")).contains("invalid_token");
  }

  @Test
  void keysMeantForSomethingElseAreNotUsedToVerify() throws Exception {
    // issue 10 item 24: use other than sig, key_ops without verify
    assertThat(chat(rs256(encryptionRsa, claims(ISSUER).build())).statusCode()).isEqualTo(401);
    assertThat(chat(rs256(wrapOnlyRsa, claims(ISSUER).build())).statusCode()).isEqualTo(401);
  }

  @Test
  void nonCanonicalBase64UrlInAnySegmentIsRefused() throws Exception {
    // issue 10 item 24: one signed token must have exactly one spelling
    String token = rs256(rsa, claims(ISSUER).build());
    assertThat(chat(token).statusCode()).isEqualTo(200);
    String[] parts = token.split("\\.");
    List<String> variants = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String[] copy = parts.clone();
      int padding = (4 - parts[i].length() % 4) % 4;
      copy[i] = parts[i] + "=".repeat(padding == 0 ? 1 : padding);
      variants.add(String.join(".", copy));
      copy = parts.clone();
      copy[i] = parts[i].substring(0, 4) + "!" + parts[i].substring(4);
      variants.add(String.join(".", copy));
      copy = parts.clone();
      copy[i] = parts[i].substring(0, 4) + "+" + parts[i].substring(4);
      variants.add(String.join(".", copy));
    }
    // the signature of an RS256 token is 256 bytes: 342 characters, the last carrying 4 pad bits
    String signature = parts[2];
    char last = signature.charAt(signature.length() - 1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char sibling = alphabet.charAt(alphabet.indexOf(last) | 1);
    assertThat(Base64.getUrlDecoder().decode(signature.substring(0, signature.length() - 1) + sibling))
        .as("decodes to the same bytes").isEqualTo(Base64.getUrlDecoder().decode(signature));
    variants.add(parts[0] + "." + parts[1] + "." + signature.substring(0, signature.length() - 1) + sibling);
    for (String variant : variants) {
      HttpResponse<String> res = chat(variant);
      assertThat(res.statusCode()).as(variant).isEqualTo(401);
    }
  }

  @Test
  void anIssuersMaxTokenLifetimeRefusesLongerLivedTokens() throws Exception {
    // issue 10 item 24: exp − iat, or exp − now without iat
    Instant now = Instant.now();
    assertThat(chat(eddsa(claims(SHORT_LIVED).expirationTime(Date.from(now.plus(Duration.ofMinutes(9)))).build()))
        .statusCode()).isEqualTo(200);
    assertThat(chat(eddsa(claims(SHORT_LIVED).expirationTime(Date.from(now.plus(Duration.ofMinutes(11)))).build()))
        .statusCode()).isEqualTo(401);
    assertThat(chat(eddsa(claims(SHORT_LIVED).issueTime(Date.from(now.minus(Duration.ofHours(1))))
        .expirationTime(Date.from(now.plus(Duration.ofMinutes(1)))).build())).statusCode()).isEqualTo(401);
    assertThat(chat(eddsa(claims(SHORT_LIVED).issueTime(null)
        .expirationTime(Date.from(now.plus(Duration.ofHours(2)))).build())).statusCode()).isEqualTo(401);
    assertThat(chat(eddsa(claims(SHORT_LIVED).issueTime(null)
        .expirationTime(Date.from(now.plus(Duration.ofMinutes(5)))).build())).statusCode()).isEqualTo(200);
    // the issuer without the setting still takes a long-lived token
    assertThat(chat(eddsa(claims(ISSUER).expirationTime(Date.from(now.plus(Duration.ofHours(2)))).build()))
        .statusCode()).isEqualTo(200);
    assertThat(metrics()).contains("reason=\"lifetime_too_long\"");
  }
}

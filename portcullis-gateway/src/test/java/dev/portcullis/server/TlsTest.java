package dev.portcullis.server;

import static dev.portcullis.server.GatewayHarness.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.pipeline.Decision;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.security.cert.X509Certificate;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TLS 1.3 by default, HTTP/2 over ALPN and h2c, and mutual TLS whose verified certificate reaches the stages. */
class TlsTest {

  static final SelfSignedCertificate SERVER = SelfSignedCertificate.create("localhost");
  static final SelfSignedCertificate CLIENT = SelfSignedCertificate.create("client-app");
  static GatewayHarness h;
  static Vertx clientVertx;

  @BeforeAll
  static void start() {
    h = GatewayHarness.builder()
        .stage(exchange -> {
          // exposes what mutual TLS verified, so the test can see it arrived
          if (!exchange.peerCertificates().isEmpty()) {
            X509Certificate leaf = (X509Certificate) exchange.peerCertificates().getFirst();
            exchange.responseHeaders().add("x-test-client-subject", leaf.getSubjectX500Principal().getName());
          }
          return Decision.CONTINUE_NOW;
        })
        .extraYaml("""
            server:
              event-loops: 2
              listeners:
                - name: plain
                  host: 127.0.0.1
                  port: 0
                  h2c: true
                - name: tls
                  host: 127.0.0.1
                  port: 0
                  tls:
                    cert: %s
                    key: %s
                - name: mtls
                  host: 127.0.0.1
                  port: 0
                  tls:
                    cert: %s
                    key: %s
                    client-auth: required
                    client-ca: %s
            """.formatted(SERVER.certificatePath(), SERVER.privateKeyPath(), SERVER.certificatePath(),
            SERVER.privateKeyPath(), CLIENT.certificatePath()))
        .replaceServer()
        .start();
    clientVertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    h.close();
    clientVertx.close().await();
  }

  static HttpClientOptions tls() {
    return new HttpClientOptions().setSsl(true).setUseAlpn(true).setVerifyHost(false)
        .setTrustOptions(new PemTrustOptions().addCertPath(SERVER.certificatePath()));
  }

  /** What the client saw, read before its connection closes. */
  record Seen(int statusCode, HttpVersion version, String tlsProtocol, String subject) {}

  static Seen post(HttpClientOptions options, int port) {
    HttpClient client = clientVertx.createHttpClient(options);
    try {
      return client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("localhost").setPort(port)
              .setURI("/v1/chat/completions").putHeader("content-type", "application/json"))
          .compose(req -> req.send(Buffer.buffer(chat("sim-small", "tls", false))))
          .compose(res -> res.body().map(b -> seen(res)))
          .await();
    } finally {
      client.close();
    }
  }

  static Seen seen(HttpClientResponse res) {
    var ssl = res.request().connection().sslSession();
    return new Seen(res.statusCode(), res.version(), ssl == null ? null : ssl.getProtocol(),
        res.getHeader("x-test-client-subject"));
  }

  @Test
  void servesHttp2OverTls13WithAlpn() {
    Seen res = post(tls().setProtocolVersion(HttpVersion.HTTP_2), h.gateway.port("tls"));
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(res.tlsProtocol()).isEqualTo("TLSv1.3");
  }

  @Test
  void refusesTls12UnlessConfigured() {
    HttpClientOptions tls12 = tls().setEnabledSecureTransportProtocols(Set.of("TLSv1.2"));
    assertThatThrownBy(() -> post(tls12, h.gateway.port("tls"))).isInstanceOf(Exception.class);
  }

  @Test
  void servesHttp2CleartextWithPriorKnowledge() {
    Seen res = post(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false), h.gateway.port("plain"));
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.version()).isEqualTo(HttpVersion.HTTP_2);
  }

  @Test
  void mutualTlsRefusesClientsWithoutCertificate() {
    assertThatThrownBy(() -> post(tls(), h.gateway.port("mtls"))).isInstanceOf(Exception.class);
  }

  @Test
  void mutualTlsPassesTheVerifiedCertificateToStages() {
    Seen res = post(tls().setKeyCertOptions(new PemKeyCertOptions()
        .setCertPath(CLIENT.certificatePath()).setKeyPath(CLIENT.privateKeyPath())), h.gateway.port("mtls"));
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.subject()).isEqualTo("CN=client-app");
  }

  @Test
  void mutualTlsRefusesCertificatesFromUntrustedIssuers() {
    SelfSignedCertificate stranger = SelfSignedCertificate.create("stranger");
    assertThatThrownBy(() -> post(tls().setKeyCertOptions(new PemKeyCertOptions()
        .setCertPath(stranger.certificatePath()).setKeyPath(stranger.privateKeyPath())), h.gateway.port("mtls")))
        .isInstanceOf(Exception.class);
  }
}

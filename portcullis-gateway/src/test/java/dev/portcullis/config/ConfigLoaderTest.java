package dev.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  static final String MINIMAL = """
      upstreams:
        - name: openai
          base-url: https://api.openai.com/v1/
          api-key: ${env:OPENAI_KEY}
          models: [gpt-4o, gpt-4o-mini]
      """;

  static GatewayConfig parse(String yaml, Map<String, String> env) throws ConfigException {
    return ConfigLoader.parse(yaml, env::get, Path.of("."));
  }

  static ConfigException problems(String yaml) {
    return (ConfigException) org.assertj.core.api.Assertions.catchThrowable(() -> parse(yaml, Map.of()));
  }

  @Test
  void appliesDefaultsToAMinimalFile() throws Exception {
    GatewayConfig c = parse(MINIMAL, Map.of("OPENAI_KEY", "sk-test"));
    assertThat(c.server().listeners()).singleElement().satisfies(l -> {
      assertThat(l.port()).isEqualTo(8080);
      assertThat(l.tls()).isNull();
    });
    assertThat(c.admin().port()).isEqualTo(9090);
    assertThat(c.admin().host()).isEqualTo("127.0.0.1");
    assertThat(c.upstreamFor("gpt-4o").apiKey()).isEqualTo("sk-test");
    assertThat(c.upstreamFor("gpt-4o").baseUrl().toString()).isEqualTo("https://api.openai.com/v1");
    assertThat(c.upstreamFor("gpt-4o").firstByteTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.route(Route.CHAT_COMPLETIONS).maxBodyBytes()).isEqualTo(1024 * 1024);
  }

  @Test
  void refusesAForwardListThatNamesACredentialFramingOrTheProviderKeyHeader() {
    ConfigException e = problems("""
        upstreams:
          - name: a
            base-url: http://example.com/v1
            models: [m1]
            auth-header: api-key
            forward-headers: [Authorization, content-encoding, connection, api-key, "bad name", x-ok]
        """);
    assertThat(e.problems()).containsExactlyInAnyOrder(
        "upstreams[0].forward-headers[0]: 'authorization' is never forwarded (a credential, framing or routing "
            + "header the gateway sets or drops itself)",
        "upstreams[0].forward-headers[1]: 'content-encoding' is never forwarded (a credential, framing or routing "
            + "header the gateway sets or drops itself)",
        "upstreams[0].forward-headers[2]: 'connection' is never forwarded (a hop-by-hop header)",
        "upstreams[0].forward-headers[3]: 'api-key' is never forwarded (a credential, framing or routing header the "
            + "gateway sets or drops itself)",
        "upstreams[0].forward-headers[4]: must be a header name");
  }

  @Test
  void resolvesSecretsFromFiles(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("key.txt"), "sk-from-file\n");
    Path config = dir.resolve("portcullis.yaml");
    Files.writeString(config, MINIMAL.replace("${env:OPENAI_KEY}", "${file:key.txt}"));
    assertThat(ConfigLoader.load(config).upstreamFor("gpt-4o").apiKey()).isEqualTo("sk-from-file");
  }

  @Test
  void namesAMissingEnvironmentVariable() {
    assertThat(problems(MINIMAL).problems())
        .containsExactly("upstreams[0].api-key: environment variable OPENAI_KEY is not set");
  }

  @Test
  void reportsEveryProblemWithItsPath() {
    ConfigException e = problems("""
        server:
          listeners:
            - port: 99999
          idle-timeout: 30
          read-timout: 5s
        upstreams:
          - name: a
            base-url: ftp://example.com
            models: [m1]
          - name: a
            base-url: http://example.com/v1
            models: [m1, ""]
            max-connections: many
        routes:
          chat: {max-body-bytes: 10}
        """);
    assertThat(e.problems()).containsExactlyInAnyOrder(
        "server.read-timout: unknown key; expected one of listeners, max-header-bytes, idle-timeout, read-timeout, "
            + "shutdown-grace, hsts, event-loops, trusted-proxies",
        "server.listeners[0].port: 99999 is out of range 0..65535",
        "server.idle-timeout: '30' is not a duration; write it with a unit, e.g. 500ms, 30s, 5m, 1h",
        "upstreams[0].base-url: 'ftp://example.com' must be an absolute http or https URL",
        "upstreams[1].models[1]: must be a non-empty string",
        "upstreams[1].max-connections: must be a whole number, found a string 'many'",
        "upstreams[1].name: 'a' is used twice",
        "upstreams[1].models[0]: 'm1' is already served by upstream 'a'",
        "routes.chat: unknown route; known routes are chat-completions, completions, embeddings, responses, models");
  }

  @Test
  void trustedProxiesMustBeAddressesOrBlocks() throws Exception {
    Map<String, String> env = Map.of("OPENAI_KEY", "sk-test");
    ConfigException e = (ConfigException) org.assertj.core.api.Assertions.catchThrowable(() -> parse(
        MINIMAL + "server: {trusted-proxies: [10.0.0.0/8, lb.example.com, 10.0.0.0/33, 7]}\n", env));
    assertThat(e.problems()).containsExactlyInAnyOrder(
        "server.trusted-proxies[1]: not an IP address literal: lb.example.com",
        "server.trusted-proxies[2]: prefix length must be 0-32 in 10.0.0.0/33",
        "server.trusted-proxies[3]: a CIDR block looks like 10.0.0.0/8 or 2001:db8::/32");
    assertThat(parse(MINIMAL + "server: {trusted-proxies: [10.0.0.0/8, \"::1\"]}\n", env).server()
        .trustedProxies()).hasSize(2);
    assertThat(parse(MINIMAL, env).server().trustedProxies()).isEmpty();
  }

  @Test
  void explainsMissingUpstreamsAndEmptyFiles() {
    assertThat(problems("").problems())
        .containsExactly("(root): the file is empty; it needs at least an 'upstreams' list");
    assertThat(problems("server: {}").problems())
        .containsExactly("upstreams: missing; declare at least one upstream with a base-url and its models");
  }

  @Test
  void reportsYamlSyntaxErrorsWithLine() {
    assertThat(problems("upstreams:\n  - name: [unclosed\n").problems().getFirst())
        .startsWith("not valid YAML at line");
  }

  @Test
  void requiresTlsFilesAndClientCaForMutualTls() {
    ConfigException e = problems(MINIMAL.replace("${env:OPENAI_KEY}", "k") + """
        server:
          listeners:
            - name: tls
              port: 8443
              tls:
                cert: /nonexistent/cert.pem
                key: /nonexistent/key.pem
                protocols: [TLSv1.1]
                client-auth: required
        """);
    assertThat(e.problems()).containsExactlyInAnyOrder(
        "server.listeners[0].tls.cert: file /nonexistent/cert.pem does not exist or is not readable",
        "server.listeners[0].tls.key: file /nonexistent/key.pem does not exist or is not readable",
        "server.listeners[0].tls.protocols[0]: 'TLSv1.1' is not supported; use TLSv1.3 or TLSv1.2",
        "server.listeners[0].tls.client-ca: missing (path to a PEM file)");
  }

  @Test
  void refusesAdminOnTheSamePortAsAListener() {
    assertThat(problems(MINIMAL.replace("${env:OPENAI_KEY}", "k") + "admin: {port: 8080}\n").problems())
        .containsExactly("admin.port: 8080 is also the port of listener 'public'");
  }

  @Test
  void hidesSecretsInToString() throws Exception {
    GatewayConfig c = parse(MINIMAL + "admin: {token: admin-token-0123456789}\n", Map.of("OPENAI_KEY", "sk-x"));
    assertThat(c.toString()).doesNotContain("sk-x").doesNotContain("admin-token-0123456789");
  }

  @Test
  void validatesAdminUsers() {
    ConfigException e = problems(MINIMAL.replace("${env:OPENAI_KEY}", "k") + """
        admin:
          users:
            - {name: ops, token: short, role: admin}
            - {name: ops, token: long-enough-token-123, role: owner}
            - {name: t, token: long-enough-token-456, role: tenant-admin}
            - {name: a, token: long-enough-token-789, role: auditor, tenant: acme}
        """);
    assertThat(e.problems()).containsExactlyInAnyOrder(
        "admin.users[0].token: must be at least 16 characters (use ${env:NAME} or ${file:PATH})",
        "admin.users[1].role: 'owner' is not one of admin, auditor, tenant-admin",
        "admin.users[2].tenant: required for role tenant-admin",
        "admin.users[3].tenant: only tenant-admin users belong to a tenant");
  }

  @Test
  void keepsOnlyTokenHashes() throws Exception {
    GatewayConfig c = parse(MINIMAL + "admin: {users: [{name: ops, token: '${env:T}', role: admin}]}\n",
        Map.of("OPENAI_KEY", "k", "T", "ops-token-0123456789"));
    assertThat(c.admin().users().getFirst().tokenSha256()).hasSize(64).doesNotContain("ops-token");
    assertThat(c.toString()).doesNotContain("ops-token-0123456789");
  }

  @Test
  void loadReportsUnreadableFile() {
    assertThatThrownBy(() -> ConfigLoader.load(Path.of("/nonexistent/portcullis.yaml")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("/nonexistent/portcullis.yaml: cannot read");
  }
}

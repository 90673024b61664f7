package dev.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigSectionTest {

  record Quota(int perMinute, String secret) {}

  /** A feature section as a feature module would write it. */
  static final ConfigSection<Quota> QUOTA = new ConfigSection<>() {
    @Override
    public String key() {
      return "quota";
    }

    @Override
    public Quota parse(JsonNode node, Context secrets, List<String> problems) {
      if (node.isMissingNode()) {
        return new Quota(60, null);
      }
      int perMinute = node.path("per-minute").asInt(-1);
      if (perMinute < 1) {
        problems.add("quota.per-minute: must be a positive whole number");
      }
      String secret = node.has("secret") ? secrets.resolve(node.get("secret").asText(), "quota.secret", problems)
          : null;
      return new Quota(perMinute, secret);
    }
  };

  static final String BASE = "upstreams: [{name: a, base-url: 'http://127.0.0.1:1/v1', models: [m]}]\n";

  @Test
  void featureSectionsBecomePartOfTheSnapshot() throws Exception {
    GatewayConfig c = ConfigLoader.parse(BASE + "quota: {per-minute: 5, secret: '${env:Q}'}\n",
        Map.of("Q", "s3cret")::get, Path.of("."), List.of(QUOTA));
    assertThat(c.feature(QUOTA, Quota.class)).isEqualTo(new Quota(5, "s3cret"));
  }

  @Test
  void sectionDefaultsApplyWhenAbsent() throws Exception {
    GatewayConfig c = ConfigLoader.parse(BASE, Map.<String, String>of()::get, Path.of("."), List.of(QUOTA));
    assertThat(c.feature(QUOTA, Quota.class).perMinute()).isEqualTo(60);
  }

  @Test
  void sectionProblemsAreReportedWithCoreProblems() {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(
        BASE + "server: {bogus: 1}\nquota: {per-minute: 0, secret: '${env:NOPE}'}\n",
        Map.<String, String>of()::get, Path.of("."), List.of(QUOTA)));
    assertThat(e.problems()).containsExactlyInAnyOrder(
        "server.bogus: unknown key; expected one of listeners, max-header-bytes, idle-timeout, read-timeout, "
            + "shutdown-grace, hsts, event-loops, trusted-proxies",
        "quota.per-minute: must be a positive whole number",
        "quota.secret: environment variable NOPE is not set");
  }

  @Test
  void unregisteredSectionsAreUnknownKeys() {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(
        BASE + "quota: {per-minute: 5}\n", Map.<String, String>of()::get, Path.of(".")));
    assertThat(e.problems()).containsExactly("quota: unknown key; expected one of server, admin, upstreams, routes");
  }
}

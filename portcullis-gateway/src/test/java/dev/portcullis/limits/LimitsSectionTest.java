package dev.portcullis.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portcullis.auth.IdentitySettings;
import dev.portcullis.config.ConfigException;
import dev.portcullis.config.ConfigLoader;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LimitsSectionTest {

  static final String BASE = "upstreams: [{name: a, base-url: 'http://127.0.0.1:1/v1', models: [m]}]\n"
      + "limits:\n  plans: {free: {}}\n";
  static final Path DIR = Path.of("/etc/portcullis");

  static LimitsSettings parse(String limits) throws ConfigException {
    return ConfigLoader.parse(BASE + limits, Map.of("PG_PASSWORD", "pg-secret")::get, DIR,
        List.of(LimitsSection.INSTANCE)).feature(LimitsSection.INSTANCE, LimitsSettings.class);
  }

  static List<String> problems(String limits) {
    return catchThrowableOfType(ConfigException.class, () -> parse(limits)).problems();
  }

  @Test
  void ledgerDefaultsToTheIdentityDatabase() throws Exception {
    assertThat(parse("").ledger()).isEqualTo(new LimitsSettings.Ledger.IdentityDatabase());
  }

  @Test
  void ledgerMayBeMemoryAFileOrPostgres() throws Exception {
    assertThat(parse("  ledger: memory\n").ledger()).isEqualTo(new LimitsSettings.Ledger.Memory());
    assertThat(parse("  ledger: {sqlite: data/usage.db}\n").ledger()).isEqualTo(new LimitsSettings.Ledger.Database(
        new IdentitySettings.Store(DIR.resolve("data/usage.db"), null, null, null, 0)));
    LimitsSettings pg = parse("  ledger: {postgres: {url: 'jdbc:postgresql://db:5432/pc', user: pc, "
        + "password: '${env:PG_PASSWORD}'}}\n  tenant-time-zones: {acme: Asia/Tokyo}\n");
    assertThat(pg.ledger()).isEqualTo(new LimitsSettings.Ledger.Database(
        new IdentitySettings.Store(null, "jdbc:postgresql://db:5432/pc", "pc", "pg-secret", 4)));
    assertThat(pg.config().zoneOf("acme")).isEqualTo(ZoneId.of("Asia/Tokyo"));
  }

  @Test
  void badLedgerSettingsNameTheirPath() {
    assertThat(problems("  ledger: disk\n")).singleElement().asString().startsWith("limits.ledger: must be memory");
    assertThat(problems("  ledger: {postgres: {url: 'mysql://db', pool-size: 0, colour: red}}\n"))
        .anyMatch(p -> p.startsWith("limits.ledger.postgres.url:"))
        .anyMatch(p -> p.startsWith("limits.ledger.postgres.pool-size:"))
        .anyMatch(p -> p.startsWith("limits.ledger.postgres.colour:"));
    assertThat(problems("  ledger: {sqlite: a.db, postgres: {url: 'jdbc:postgresql://db/pc'}}\n"))
        .singleElement().asString().startsWith("limits.ledger:");
    assertThat(problems("  tenant-time-zones: {acme: Mars/Olympus}\n"))
        .containsExactly("limits.tenant-time-zones.acme: unknown time zone 'Mars/Olympus'");
  }
}

package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CheckConfigCommandTest {

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    CommandLine cli = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void acceptsAValidFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("ok.yaml");
    Files.writeString(file, "upstreams:\n  - {name: a, base-url: 'http://127.0.0.1:1/v1', models: [m]}\nidentity: {mode: none}\n");
    Run r = run("check-config", file.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("valid (1 upstreams, 1 models, 1 listeners)");
  }

  @Test
  void exitsNonZeroAndNamesThePath(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "upstreams:\n  - {name: a, models: [m]}\nidentity: {mode: none}\n");
    Run r = run("check-config", file.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("invalid configuration (1 problem)")
        .contains("upstreams[0].base-url: missing (for example https://api.openai.com/v1)");
  }

  @Test
  void requiresAnExplicitIdentityChoice(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("open.yaml");
    Files.writeString(file, "upstreams:\n  - {name: a, base-url: 'http://127.0.0.1:1/v1', models: [m]}\n");
    Run r = run("check-config", file.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("identity: missing; configure how callers authenticate, or write "
        + "`identity: {mode: none}`");
  }

  @Test
  void warnsOfPerCallerLimitsThatAnonymousCallersNeverMeet(@TempDir Path dir) throws Exception {
    // issue 10 item 1: a limit that can never apply to the callers in use is said, not silently skipped
    Path file = dir.resolve("anon.yaml");
    Files.writeString(file, """
        upstreams:
          - {name: a, base-url: 'http://127.0.0.1:1/v1', models: [m]}
        identity: {mode: none}
        limits:
          default-plan: open
          plans:
            open:
              limits:
                - {name: per-ip, per: [ip], unit: requests, algorithm: token-bucket, limit: 10, period: 1m}
                - {name: per-key, per: [key], unit: requests, algorithm: token-bucket, limit: 10, period: 1m}
        """);
    Run r = run("check-config", file.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("warning: limits.plans.open: limit 'per-key' is per key")
        .doesNotContain("'per-ip'");
  }
}

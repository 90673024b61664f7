package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testkit.SimulatedUpstream;
import dev.portcullis.testkit.SimulatorOptions;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code portcullis serve} as a real process: exit codes, SIGHUP reload, SIGTERM shutdown. */
class ServeProcessTest {

  static Process serve(Path config, String... extra) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        "dev.portcullis.cli.Main", "serve", "-c", config.toString()));
    command.addAll(List.of(extra));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  @Test
  void exitsNonZeroNamingTheProblemOnInvalidConfig(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("bad.yaml");
    Files.writeString(config, "upstreams:\n  - {name: a, base-url: 'http://x/v1', models: []}\n");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "dev.portcullis.cli.Main",
        "serve", "-c", config.toString()).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .contains("upstreams[0].models: must be a non-empty list of model ids");
  }

  @Test
  void reloadsOnSighupAndStopsOnSigterm(@TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    SimulatedUpstream upstream = SimulatedUpstream.start(vertx, SimulatorOptions.defaults()).await();
    Path config = dir.resolve("portcullis.yaml");
    Files.writeString(config, """
        server: {listeners: [{name: public, host: 127.0.0.1, port: 0}]}
        admin: {host: 127.0.0.1, port: 0}
        upstreams: [{name: sim, base-url: "%s", models: [sim-small]}]
        identity: {mode: none}
        """.formatted(upstream.baseUrl()));
    Process p = serve(config);
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      int[] ports = ports(out);
      HttpClient http = HttpClient.newHttpClient();
      URI metrics = URI.create("http://127.0.0.1:" + ports[1] + "/metrics");
      HttpResponse<String> chat = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[0]
          + "/v1/chat/completions")).POST(HttpRequest.BodyPublishers.ofString(
          "{\"model\":\"sim-small\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(chat.statusCode()).isEqualTo(200);

      // Under nohup SIGHUP is ignored from the start, and the JVM (rightly) installs no handler for it, so the
      // reload can only be checked where the signal is deliverable; SIGTERM below is checked everywhere.
      if (!hangupIgnored()) {
        // the file is unchanged, so the file watcher does nothing: only SIGHUP can cause this reload
        new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor(10, TimeUnit.SECONDS);
        Awaitility.await().atMost(20, TimeUnit.SECONDS).untilAsserted(() -> assertThat(http.send(
            HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body())
            .contains("portcullis_config_reloads_total{result=\"unchanged\"} 1.0"));
      }

      p.destroy();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isEqualTo(143);
    } finally {
      p.destroyForcibly();
      vertx.close().await();
    }
  }

  /** True when this process (and so its children) ignores SIGHUP, as under nohup (Linux: /proc/self/status). */
  static boolean hangupIgnored() throws Exception {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return false;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseLong(line.substring(7).trim(), 16) & 1) != 0;
      }
    }
    return false;
  }

  private static int[] ports(BufferedReader out) throws Exception {
    Pattern ready = Pattern.compile("portcullis listening on port (\\d+), admin on port (\\d+)");
    String line;
    while ((line = out.readLine()) != null) {
      Matcher m = ready.matcher(line);
      if (m.find()) {
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
      }
    }
    throw new AssertionError("the gateway never said it was listening");
  }
}

package dev.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The official OpenAI Node SDK, unchanged, against the gateway: chat, streaming, embeddings, typed errors. */
class NodeSdkTest {

  private static final Path SOURCE = Path.of("src/test/node");
  private static final Path WORK = Path.of("target/node-sdk");

  @Test
  void officialNodeSdkWorksThroughTheGateway() throws Exception {
    prepare();
    try (GatewayHarness h = GatewayHarness.builder().start()) {
      Process p = new ProcessBuilder("node", "sdk-check.mjs", h.baseUrl()).directory(WORK.toFile())
          .redirectErrorStream(true).start();
      boolean done = p.waitFor(90, TimeUnit.SECONDS);
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(done).as("node finished; output: %s", output).isTrue();
      assertThat(p.exitValue()).as("node exit; output: %s", output).isZero();
      assertThat(output.lines()).contains("ok chat", "ok stream", "ok embeddings", "ok error");
    }
  }

  /** Copies the script to target/ and installs the SDK there from the lock file (once per build). */
  private static void prepare() throws IOException, InterruptedException {
    Files.createDirectories(WORK);
    for (String f : List.of("package.json", "package-lock.json", "sdk-check.mjs")) {
      Files.copy(SOURCE.resolve(f), WORK.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    if (Files.isDirectory(WORK.resolve("node_modules/openai"))) {
      return;
    }
    Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
        .directory(WORK.toFile()).redirectErrorStream(true).start();
    boolean done = npm.waitFor(5, TimeUnit.MINUTES);
    String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(done && npm.exitValue() == 0).as("npm ci succeeded: %s", output).isTrue();
  }
}

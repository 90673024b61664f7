package dev.portcullis.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portcullis.app.Portcullis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Fuzzes configuration loading with every feature section: the only refusal is a {@link ConfigException} listing the
 * problems; any other exception, or a hang, is a finding. Runs its seed corpus on every build; {@code JAZZER_FUZZ=1}
 * fuzzes it (docs/security-testing.md).
 */
class ConfigLoaderFuzzTest {

  private static final Path DIR;

  static {
    try {
      DIR = Files.createTempDirectory("config-fuzz");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "60s")
  void loadsOrListsProblems(byte[] input) {
    String yaml = new String(input, StandardCharsets.UTF_8);
    try {
      ConfigLoader.parse(yaml, Map.of("PEPPER", "pepper-for-fuzzing-0123456789abcdef0123")::get, DIR,
          Portcullis.SECTIONS);
    } catch (ConfigException refused) {
      // the documented answer to a bad file
    }
  }
}

package dev.portcullis.identity.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Fuzzes the API key shape check, which sees every presented key before any lookup. It never throws, and every key it
 * accepts is one a secret scanner finds with {@link ApiKeyFormat#SCANNER_PATTERN}. Runs its seed corpus on every
 * build; {@code JAZZER_FUZZ=1} fuzzes it (docs/security-testing.md).
 */
class ApiKeyFormatFuzzTest {

  private static final Pattern SCANNER = Pattern.compile(ApiKeyFormat.SCANNER_PATTERN);

  @FuzzTest(maxDuration = "60s")
  void acceptedKeysAreWellFormedAndScannable(byte[] input) {
    String key = new String(input, StandardCharsets.UTF_8);
    ApiKeyFormat.Check check = ApiKeyFormat.check(key);
    if (check instanceof ApiKeyFormat.Check.Valid valid) {
      assertThat(SCANNER.matcher(key).matches()).as(key).isTrue();
      assertThat(key).startsWith("pc_" + valid.environment() + "_");
    }
  }
}

package dev.portcullis.guard.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PEM private-key blocks as they appear in JSON strings, flattened text and CRLF files. */
class PrivateKeyBlockTest {
  private static final String LINE1 = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj";
  private static final String LINE2 = "MZzVREMFVC1jWx9yM0a/DtKQNrVVKi+yd3dQ0RxJzHDWd8dk1Ow==";

  private final Scanner scanner = Scanner.create(ScannerConfig.all("US"));

  private static String block(String sep) {
    return "-----BEGIN PRIVATE KEY-----" + sep + LINE1 + sep + LINE2 + sep + "-----END PRIVATE KEY-----";
  }

  @ParameterizedTest
  @ValueSource(strings = {"\n", "\\n", "\r\n", "\\r\\n", " ", "\\\\n", "\t", "\\t"})
  void redactsWholeBlockWhateverTheLineSeparator(String sep) {
    String key = block(sep);
    String text = "{\"type\":\"service_account\",\"private_key\":\"" + key + sep + "\",\"client_email\":\"x\"}";
    List<Finding> found = scanner.scan(text);
    assertThat(found).extracting(Finding::type).containsExactly(FindingType.PRIVATE_KEY);
    assertThat(text.substring(found.get(0).start(), found.get(0).end())).isEqualTo(key);
  }

  @Test
  void redactsBlockWithJsonEscapedBodyCharacters() {
    String key = block("\\n").replace("/", "\\/").replace("+", "\\u002B");
    List<Finding> found = scanner.scan("\"" + key + "\"");
    assertThat(found).extracting(Finding::type).containsExactly(FindingType.PRIVATE_KEY);
    assertThat(found.get(0).end() - found.get(0).start()).isEqualTo(key.length());
  }

  @ParameterizedTest
  @ValueSource(strings = {"\n", "\\n", "\\r\\n"})
  void unterminatedBlockCoversItsBodyButNotTheTrailingSeparator(String sep) {
    String head = "-----BEGIN PRIVATE KEY-----" + sep + LINE1 + sep + LINE2;
    String text = head + sep + "\"}";
    List<Finding> found = scanner.scan(text);
    assertThat(found).extracting(Finding::type).containsExactly(FindingType.PRIVATE_KEY);
    assertThat(text.substring(found.get(0).start(), found.get(0).end())).isEqualTo(head);
  }

  @ParameterizedTest
  @ValueSource(strings = {"\n", "\\n"})
  void redactsLegacyEncryptedKeyWithItsHeaderLines(String sep) {
    String key = "-----BEGIN RSA PRIVATE KEY-----" + sep + "Proc-Type: 4,ENCRYPTED" + sep
        + "DEK-Info: AES-128-CBC,3F17F5316E2BAC89C2D8ED4A1C8B2F20" + sep + sep + LINE1 + sep + LINE2 + sep
        + "-----END RSA PRIVATE KEY-----";
    String text = "{\"key\":\"" + key + "\"}";
    List<Finding> found = scanner.scan(text);
    assertThat(found).extracting(Finding::type).containsExactly(FindingType.PRIVATE_KEY);
    assertThat(text.substring(found.get(0).start(), found.get(0).end())).isEqualTo(key);
  }

  @Test
  void unterminatedHeaderFollowedByProseDoesNotSwallowTheProse() {
    String text = "-----BEGIN PRIVATE KEY----- is the first line of a PKCS#8 file";
    List<Finding> found = scanner.scan(text);
    assertThat(found).extracting(Finding::type).containsExactly(FindingType.PRIVATE_KEY);
    assertThat(found.get(0).end()).isEqualTo("-----BEGIN PRIVATE KEY-----".length());
  }

  @Test
  void blockLongerThanTheBoundIsRedactedUpToTheBound() {
    StringBuilder b = new StringBuilder("-----BEGIN PRIVATE KEY-----");
    while (b.length() < Scanner.MAX_LOOKAHEAD + 500) {
      b.append("\\n").append(LINE1);
    }
    b.append("\\n-----END PRIVATE KEY-----");
    List<Finding> found = scanner.scan(b);
    assertThat(found).extracting(Finding::type).first().isEqualTo(FindingType.PRIVATE_KEY);
    assertThat(found.get(0).start()).isZero();
    assertThat(found.get(0).end()).isBetween(Scanner.MAX_LOOKAHEAD - LINE1.length() - 2, Scanner.MAX_LOOKAHEAD);
  }
}

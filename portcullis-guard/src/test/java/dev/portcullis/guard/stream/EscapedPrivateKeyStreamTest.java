package dev.portcullis.guard.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.guard.action.Action;
import dev.portcullis.guard.action.ActionPolicy;
import dev.portcullis.guard.action.PseudonymVault;
import dev.portcullis.guard.action.Redactor;
import dev.portcullis.guard.action.RequestScope;
import dev.portcullis.guard.detect.Scanner;
import dev.portcullis.guard.detect.ScannerConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** PEM blocks whose line breaks are JSON-escaped or flattened are held back and redacted whole on a stream. */
class EscapedPrivateKeyStreamTest {
  private static final byte[] KEY = "tenant-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private static final Scanner SCANNER = Scanner.create(ScannerConfig.all("US"));
  private static final String BODY1 = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj";
  private static final String BODY2 = "MZzVREMFVC1jWx9yM0a/DtKQNrVVKi+yd3dQ0RxJzHDWd8dk1Ow==";

  private static RedactingStreamFilter filter() {
    return new RedactingStreamFilter(new Redactor(SCANNER, ActionPolicy.uniform(Action.REDACT)),
        new RequestScope(KEY, new PseudonymVault(8)));
  }

  @Test
  void redactsEscapedNewlinePrivateKeySplitAcrossChunks() {
    var f = filter();
    String out = f.push("{\"private_key\":\"-----BEGIN PRIVATE KEY-----\\")
        + f.push("n" + BODY1.substring(0, 20))
        + f.push(BODY1.substring(20) + "\\n" + BODY2 + "\\")
        + f.push("n-----END PRIV")
        + f.push("ATE KEY-----\\n\",\"x\":1}")
        + f.finish();
    assertThat(out).isEqualTo("{\"private_key\":\"[PRIVATE_KEY]\\n\",\"x\":1}");
  }

  @Provide
  Arbitrary<String> keys() {
    return Arbitraries.of("\n", "\\n", "\r\n", "\\r\\n", " ", "\\\\n").flatMap(sep -> Arbitraries.of(
        "-----BEGIN PRIVATE KEY-----" + sep + BODY1 + sep + BODY2 + sep + "-----END PRIVATE KEY-----" + sep,
        "-----BEGIN PRIVATE KEY-----" + sep + BODY1 + sep + BODY2.replace("/", "\\/"),
        "-----BEGIN PRIVATE KEY-----" + sep + "is a header"));
  }

  @Provide
  Arbitrary<List<Integer>> cuts() {
    return Arbitraries.integers().between(0, 200).list().ofMaxSize(12);
  }

  @Property(tries = 300)
  void streamedEqualsWholeTextForEscapedAndFlattenedKeys(@ForAll("keys") String key, @ForAll("cuts") List<Integer> cuts) {
    String text = "args {\"k\":\"" + key + "\"} done";
    String whole = new Redactor(SCANNER, ActionPolicy.uniform(Action.REDACT))
        .apply(text, new RequestScope(KEY, new PseudonymVault(8))).text();
    List<Integer> points = new ArrayList<>();
    for (int c : cuts) {
      points.add(Math.min(c, text.length()));
    }
    points.sort(Integer::compare);
    var f = filter();
    StringBuilder out = new StringBuilder();
    int prev = 0;
    for (int p : points) {
      out.append(f.push(text.substring(prev, p)));
      prev = p;
    }
    out.append(f.push(text.substring(prev))).append(f.finish());
    assertThat(out.toString()).isEqualTo(whole).doesNotContain("MIIE").doesNotContain("MZzV");
  }
}

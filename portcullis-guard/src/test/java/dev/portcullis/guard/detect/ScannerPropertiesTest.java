package dev.portcullis.guard.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.guard.injection.InjectionScorer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Arbitrary input never crashes the scanner or the injection scorer, and findings are well-formed. */
class ScannerPropertiesTest {
  private static final Scanner SCANNER = Scanner.create(ScannerConfig.all("DE"));
  private static final InjectionScorer SCORER = InjectionScorer.loadDefault();

  @Provide
  Arbitrary<String> anyText() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(300),
        Arbitraries.strings().withChars("0123456789 -.+()@:_/=\"'abcdefxyzABCDEFKPZ\n").ofMaxLength(300));
  }

  @Property(tries = 500)
  void findingsAreInBoundsSortedAndDisjoint(@ForAll("anyText") String text) {
    List<Finding> found = SCANNER.scan(text);
    int lastEnd = 0;
    for (Finding f : found) {
      assertThat(f.start()).isGreaterThanOrEqualTo(lastEnd);
      assertThat(f.end()).isLessThanOrEqualTo(text.length());
      lastEnd = f.end();
    }
  }

  @Property(tries = 300)
  void injectionScoreIsAProbability(@ForAll("anyText") String text) {
    double s = SCORER.score(text).score();
    assertThat(s).isBetween(0.0, 1.0);
  }
}

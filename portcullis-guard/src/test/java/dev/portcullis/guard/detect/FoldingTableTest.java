package dev.portcullis.guard.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FoldingTableTest {

  @Test
  void shippedTableIsWhatIcuGenerates() throws IOException {
    String shipped;
    try (InputStream in = Folding.class.getResourceAsStream("folding.txt")) {
      shipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    // on failure: java FoldingTable portcullis-guard/src/main/resources/dev/portcullis/guard/detect/folding.txt
    assertThat(shipped).isEqualTo(FoldingTable.generate());
  }

  @Test
  void foldsConfusablesToTheAsciiTheyImitateKeepingCase() {
    assertThat(Folding.of(0x0406)).isEqualTo('I'); // Cyrillic capital byelorussian-ukrainian I
    assertThat(Folding.of(0x0410)).isEqualTo('A'); // Cyrillic capital A
    assertThat(Folding.of(0x043E)).isEqualTo('o'); // Cyrillic small o
    assertThat(Folding.of(0xFF20)).isEqualTo('@'); // fullwidth commercial at
    assertThat(Folding.of(0x0663)).isEqualTo('3'); // Arabic-Indic digit three
    assertThat(Folding.of(0x00E9)).isEqualTo('e'); // e with acute: marks go
    assertThat(Folding.of(0x200B)).isEqualTo(Folding.REMOVED); // zero-width space
    assertThat(Folding.of(0x00AD)).isEqualTo(Folding.REMOVED); // soft hyphen
    assertThat(Folding.of(0x0301)).isEqualTo(Folding.REMOVED); // combining acute accent
    assertThat(Folding.of(0xE0041)).isEqualTo(Folding.REMOVED); // tag latin capital A
    assertThat(Folding.of(0x4E2D)).isEqualTo(Folding.SAME); // CJK ideograph
  }
}

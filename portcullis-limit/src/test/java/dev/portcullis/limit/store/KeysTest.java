package dev.portcullis.limit.store;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class KeysTest {
    @Test
    void keepsPlainValuesAndDigestsEverythingElse() {
        assertThat(Keys.part("tenant-42")).isEqualTo("tenant-42");
        assertThat(Keys.part("a{b}")).startsWith("~").doesNotContain("{");
        assertThat(Keys.part("2001:db8::1")).startsWith("~");
        assertThat(Keys.part("x".repeat(65))).hasSize(28);
        assertThat(Keys.part("a{b}")).isNotEqualTo(Keys.part("a{c}"));
    }

    @Property(tries = 500)
    void anyInputBecomesABoundedSafeKeyPartWithoutHashTags(@ForAll String value) {
        String part = Keys.part(value);
        assertThat(Keys.isSafe(part)).isTrue();
        assertThat(part).doesNotContain("{", "}", ":").hasSizeLessThanOrEqualTo(64);
    }
}

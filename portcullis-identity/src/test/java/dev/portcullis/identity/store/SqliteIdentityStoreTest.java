package dev.portcullis.identity.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteIdentityStoreTest extends AbstractIdentityStoreTest {

  @TempDir Path dir;

  @Override
  IdentityStore newStore() {
    return IdentityStores.sqlite(dir.resolve("identity.db"));
  }

  @Test
  void createsTheDatabaseFileAndItsDirectoriesOnFirstStart() {
    Path file = dir.resolve("nested/deeper/identity.db");
    try (IdentityStore created = IdentityStores.sqlite(file)) {
      created.createPlan(new Plan("free", "Free"));
    }
    assertThat(Files.exists(file)).isTrue();
  }

  @Test
  void keepsDataAcrossRestartsWithoutMigratingAgain() {
    seedAcme();
    store.close();
    store = IdentityStores.sqlite(dir.resolve("identity.db"));
    assertThat(store.findTenant("acme")).isPresent();
  }
}

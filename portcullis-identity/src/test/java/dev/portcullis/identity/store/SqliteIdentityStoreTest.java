package dev.portcullis.identity.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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

  /** issue 10 item 23: the database holds key hashes and sealed signing keys; only its owner may read it. */
  @Test
  void createsTheDatabaseAndItsLogFilesReadableByTheOwnerOnly() throws Exception {
    Path file = dir.resolve("private/identity.db");
    try (IdentityStore created = IdentityStores.sqlite(file)) {
      created.createPlan(new Plan("free", "Free"));
      for (String name : new String[] {"identity.db", "identity.db-wal", "identity.db-shm"}) {
        Path f = file.resolveSibling(name);
        assertThat(Files.exists(f)).as(name).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).as(name).isEqualTo("rw-------");
      }
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
        .isEqualTo("rwx------");
  }

  @Test
  void restrictsAnExistingDatabaseThatOthersCouldRead() throws Exception {
    Path file = dir.resolve("old.db");
    try (IdentityStore created = IdentityStores.sqlite(file)) {
      created.createPlan(new Plan("free", "Free"));
    }
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    try (IdentityStore reopened = IdentityStores.sqlite(file)) {
      assertThat(reopened.findPlan("free")).isPresent();
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
  }

  @Test
  void keepsDataAcrossRestartsWithoutMigratingAgain() {
    seedAcme();
    store.close();
    store = IdentityStores.sqlite(dir.resolve("identity.db"));
    assertThat(store.findTenant("acme")).isPresent();
  }
}

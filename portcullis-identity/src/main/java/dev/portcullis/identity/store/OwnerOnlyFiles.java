package dev.portcullis.identity.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the SQLite identity database private to the account that runs the gateway: it holds key hashes, client
 * secret hashes and sealed signing keys. On file systems without POSIX permissions nothing is changed.
 */
final class OwnerOnlyFiles {

  private static final Logger LOG = LoggerFactory.getLogger(OwnerOnlyFiles.class);
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
  /** SQLite's companions of a database in WAL mode; SQLite gives them the database file's permissions. */
  private static final String[] COMPANIONS = {"-wal", "-shm", "-journal"};

  private OwnerOnlyFiles() {}

  /** Creates missing parent directories (0700) and the empty database file (0600), or restricts an existing one. */
  static void prepare(Path database) throws IOException {
    Path parent = database.getParent();
    if (!posix(database)) {
      if (parent != null) {
        Files.createDirectories(parent);
      }
      return;
    }
    if (parent != null && !Files.isDirectory(parent)) {
      Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(DIRECTORY));
    }
    try {
      // an empty file is a new database to SQLite; created here, it never exists with looser permissions
      Files.createFile(database, PosixFilePermissions.asFileAttribute(FILE));
    } catch (FileAlreadyExistsException e) {
      restrict(database);
    }
    restrictCompanions(database);
  }

  /** Restricts the database's {@code -wal}, {@code -shm} and {@code -journal} files that exist. */
  static void restrictCompanions(Path database) {
    if (!posix(database)) {
      return;
    }
    for (String suffix : COMPANIONS) {
      Path companion = database.resolveSibling(database.getFileName() + suffix);
      try {
        if (Files.exists(companion)) {
          restrict(companion);
        }
      } catch (IOException e) {
        LOG.warn("cannot restrict the permissions of {} ({})", companion, e.getClass().getSimpleName());
      }
    }
  }

  private static void restrict(Path file) throws IOException {
    Set<PosixFilePermission> current = Files.getPosixFilePermissions(file);
    if (!FILE.containsAll(current)) {
      Files.setPosixFilePermissions(file, FILE);
      LOG.warn("{} was accessible to other accounts ({}); restricted it to its owner (rw-------)", file,
          PosixFilePermissions.toString(current));
    }
  }

  private static boolean posix(Path file) {
    Path existing = file.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    return existing != null && Files.getFileAttributeView(existing, PosixFileAttributeView.class) != null;
  }
}

package dev.portcullis.limit.budget;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.InstantSource;
import org.junit.jupiter.api.io.TempDir;

class SqliteUsageLedgerTest extends JdbcUsageLedgerContract {
    @TempDir Path dir;

    @Override
    void prepareDatabase() {}

    @Override
    JdbcUsageLedger open(InstantSource clock) {
        return UsageLedgers.sqlite(dir.resolve("portcullis.db"), clock);
    }

    @Override
    Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("portcullis.db"));
    }
}

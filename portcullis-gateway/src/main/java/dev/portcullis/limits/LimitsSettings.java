package dev.portcullis.limits;

import dev.portcullis.auth.IdentitySettings;
import dev.portcullis.limit.config.LimitsConfig;
import java.util.Objects;

/**
 * The {@code limits} section: the limit configuration (reloadable) and where the usage ledger lives (read at start;
 * changing it needs a restart).
 */
public record LimitsSettings(LimitsConfig config, Ledger ledger) {

  public LimitsSettings {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(ledger, "ledger");
  }

  /** {@code limits.ledger}: where usage totals, and so budgets across restarts, are kept. */
  public sealed interface Ledger {

    /** Not set: the identity store's database when identity has one, else in memory. */
    record IdentityDatabase() implements Ledger {}

    /** {@code memory}: in this process only; budgets start afresh after a restart. */
    record Memory() implements Ledger {}

    /** {@code {sqlite: FILE}} or {@code {postgres: {...}}}: a database of its own. */
    record Database(IdentitySettings.Store store) implements Ledger {
      public Database {
        Objects.requireNonNull(store, "store");
      }
    }
  }
}

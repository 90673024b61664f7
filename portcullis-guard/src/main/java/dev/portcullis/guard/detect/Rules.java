package dev.portcullis.guard.detect;

import dev.portcullis.guard.text.LiteralAutomaton;

/** The validators behind {@link Scanner}, by family; each reads a bounded window around its candidate. */
final class Rules {
  private final SecretRules secrets;
  private final NumberRules numbers;

  Rules(String region) {
    this(new SecretRules(), region);
  }

  private Rules(SecretRules secrets, String region) {
    this.secrets = secrets;
    this.numbers = new NumberRules(region);
  }

  /** The same compiled literals with another phone region. */
  Rules withRegion(String region) {
    return new Rules(secrets, region);
  }

  LiteralAutomaton automaton() {
    return secrets.automaton();
  }

  /** A literal ended at {@code end}; returns the candidate start. */
  int anchor(Scanner.Ctx ctx, int id, int end) {
    return secrets.anchor(ctx, id, end);
  }

  /** Capital letter at a token start. */
  void upper(Scanner.Ctx ctx, int i) {
    numbers.upper(ctx, i);
  }

  /** Digit at a token start; returns the candidate start. */
  int numeric(Scanner.Ctx ctx, int i) {
    return numbers.numeric(ctx, i);
  }

  /** Hex digit or ':' at a token start. */
  void hex(Scanner.Ctx ctx, int i) {
    AddressRules.hex(ctx, i);
  }

  /** '@'; returns the candidate start. */
  int email(Scanner.Ctx ctx, int at) {
    return AddressRules.email(ctx, at);
  }
}

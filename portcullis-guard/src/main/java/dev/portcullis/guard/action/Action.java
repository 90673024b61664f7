package dev.portcullis.guard.action;

/** What to do with a finding. Chosen per finding type by an {@link ActionPolicy}. */
public sealed interface Action {
  /** Leave the value as it is (still reported). */
  record Allow() implements Action {}

  /** Reject the request, or end the response; the error names the finding types only. */
  record Block() implements Action {}

  /** Replace with {@code [LABEL]}. */
  record Redact() implements Action {}

  /** Replace every letter and digit except the last {@code keepLast} with {@code *}; separators stay. */
  record Mask(int keepLast) implements Action {
    public Mask {
      if (keepLast < 0 || keepLast > 8) {
        throw new IllegalArgumentException("keepLast must be in 0..8, was " + keepLast);
      }
    }
  }

  /** Replace with {@code [LABEL:hex]}, a stable HMAC-SHA256 pseudonym under the tenant's key. */
  record Hash() implements Action {}

  /** Replace with a placeholder {@code [LABEL_n]} recorded in the request's vault and restored in its response. */
  record Pseudonymise() implements Action {}

  Action ALLOW = new Allow();
  Action BLOCK = new Block();
  Action REDACT = new Redact();
  Action MASK = new Mask(4);
  Action HASH = new Hash();
  Action PSEUDONYMISE = new Pseudonymise();

  /** Lower-case name used in configuration and events: allow, block, redact, mask, hash, pseudonymise. */
  default String name() {
    return switch (this) {
      case Allow a -> "allow";
      case Block b -> "block";
      case Redact r -> "redact";
      case Mask m -> "mask";
      case Hash h -> "hash";
      case Pseudonymise p -> "pseudonymise";
    };
  }

  /** Parses a configuration name; throws {@link IllegalArgumentException} naming the accepted values. */
  static Action parse(String name) {
    return switch (name == null ? "" : name.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "allow" -> ALLOW;
      case "block" -> BLOCK;
      case "redact" -> REDACT;
      case "mask" -> MASK;
      case "hash" -> HASH;
      case "pseudonymise", "pseudonymize" -> PSEUDONYMISE;
      default -> throw new IllegalArgumentException(
          "unknown action '" + name + "'; expected allow, block, redact, mask, hash or pseudonymise");
    };
  }
}

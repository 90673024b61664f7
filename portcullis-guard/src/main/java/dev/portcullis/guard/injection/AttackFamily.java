package dev.portcullis.guard.injection;

/** Known families of prompt-injection technique that the rules recognise. */
public enum AttackFamily {
  /** "Ignore all previous instructions" and kin. */
  INSTRUCTION_OVERRIDE,
  /** DAN-style role-play jailbreaks: "do anything now", developer mode, "no restrictions". */
  ROLE_PLAY_JAILBREAK,
  /** Attempts to make the model reveal its system prompt or instructions. */
  PROMPT_EXTRACTION,
  /** Chat-template and delimiter tokens that fake a system or assistant turn. */
  DELIMITER,
  /** An attack phrase hidden in base64, hex or rot13 (leetspeak is folded during matching). */
  ENCODED_PAYLOAD,
  /** Unicode tag characters, zero-width characters or bidirectional controls. */
  INVISIBLE_UNICODE,
  /** Words mixing Latin letters with Cyrillic or Greek look-alikes. */
  HOMOGLYPHS
}

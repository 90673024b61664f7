package dev.portcullis.guard.payload;

/**
 * What output guards do with a field of an answer that the API does not define (see {@link OutputTexts}): every
 * string the client receives is inspected either way; {@code DROP} also removes such fields before anything else.
 */
public enum UnknownFields {
  /** Inspect unknown fields like model text (the default: fail closed without losing data). */
  INSPECT,
  /** Remove unknown fields that hold text (numbers, booleans and nulls stay). */
  DROP
}

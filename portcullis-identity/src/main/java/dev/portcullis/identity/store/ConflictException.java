package dev.portcullis.identity.store;

/** A write broke a rule of the data: duplicate id, or a reference to a missing tenant, principal or plan. */
public class ConflictException extends RuntimeException {
  public ConflictException(String message, Throwable cause) {
    super(message, cause);
  }
}

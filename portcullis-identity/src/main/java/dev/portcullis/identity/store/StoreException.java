package dev.portcullis.identity.store;

/** The store could not be reached or failed: infrastructure trouble (maps to 5xx, fail closed). */
public class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}

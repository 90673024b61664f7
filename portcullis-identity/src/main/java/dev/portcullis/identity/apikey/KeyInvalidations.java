package dev.portcullis.identity.apikey;

import java.util.function.Consumer;

/**
 * Carries "forget this key" messages between gateway instances so that a revocation or rotation on one
 * takes effect on all of them without waiting for cache expiry. Messages carry the key's peppered hash,
 * never the key. The in-process implementation is {@link #inProcess()}; a Redis pub/sub implementation
 * plugs in behind the same interface.
 */
public interface KeyInvalidations {

  /** Message meaning "drop every cached key", sent when messages may have been missed (e.g. after a reconnect). */
  String ALL = "*";

  /** Announces that the key with this hash changed; every subscriber, including this instance, drops it. */
  void publish(String keyHash);

  /** Registers a listener; closing the handle unsubscribes. Listeners must be fast and must not throw. */
  AutoCloseable subscribe(Consumer<String> listener);

  /** Delivery within this JVM only: for a single instance, and for tests of several instances in one JVM. */
  static KeyInvalidations inProcess() {
    return new InProcessKeyInvalidations();
  }
}

package dev.portcullis.events;

/**
 * Receives security events. Called on the thread where the event happened (often an event loop): an
 * implementation must not block; slow work (a database, a network) belongs behind a queue of its own.
 */
@FunctionalInterface
public interface SecurityEventSink {

  void accept(SecurityEvent event);
}

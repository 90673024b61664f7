package dev.portcullis.identity.apikey;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Synchronous delivery to listeners registered in this JVM. */
final class InProcessKeyInvalidations implements KeyInvalidations {

  private final CopyOnWriteArrayList<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

  @Override
  public void publish(String keyHash) {
    for (Consumer<String> listener : listeners) {
      listener.accept(keyHash);
    }
  }

  @Override
  public AutoCloseable subscribe(Consumer<String> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }
}

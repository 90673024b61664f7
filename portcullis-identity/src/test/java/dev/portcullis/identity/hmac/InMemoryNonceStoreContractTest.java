package dev.portcullis.identity.hmac;

import dev.portcullis.identity.TestClock;
import java.time.Instant;

class InMemoryNonceStoreContractTest extends AbstractNonceStoreTest {

  final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
  final InMemoryNonceStore store = new InMemoryNonceStore(1000, clock);

  @Override
  protected NonceStore store() {
    return store;
  }

  @Override
  protected NonceStore otherInstance() {
    return store;
  }

  @Override
  protected Instant now() {
    return clock.instant();
  }
}

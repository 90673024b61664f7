package dev.portcullis.cli;

import dev.portcullis.app.Portcullis;
import dev.portcullis.server.Gateway;
import io.vertx.core.Vertx;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Process-level plumbing shared by the long-running commands. */
final class Lifecycle {

  private Lifecycle() {}

  /** Graceful stop, bounded by the configured shutdown grace plus a margin. */
  static void stop(Portcullis portcullis, Vertx vertx) {
    long grace = portcullis.gateway().config().current().server().shutdownGrace().toMillis() + 5000;
    try {
      portcullis.stop().toCompletionStage().toCompletableFuture().get(grace, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // past the grace: close regardless
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // exiting anyway
    }
  }

  /** SIGHUP reloads the configuration file (where the platform has signals). */
  @SuppressWarnings("restriction")
  static void reloadOnHangup(Gateway gateway) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> gateway.reload());
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      // no SIGHUP here; reload by file change or the admin endpoint
    }
  }

  static void awaitForever() {
    try {
      new CountDownLatch(1).await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

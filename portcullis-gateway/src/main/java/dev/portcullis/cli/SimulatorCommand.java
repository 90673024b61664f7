package dev.portcullis.cli;

import dev.portcullis.testkit.SimulatedUpstream;
import dev.portcullis.testkit.SimulatorOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code portcullis simulator}: only the simulated upstream, for benchmarks and trials against other gateways. */
@Command(name = "simulator", mixinStandardHelpOptions = true,
    description = "Run only the simulated OpenAI-compatible upstream.")
final class SimulatorCommand implements Callable<Integer> {

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "8000", description = "Port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--token-rate", defaultValue = "0", description = "Tokens per second when streaming; 0 sends "
      + "all at once (default: ${DEFAULT-VALUE}).")
  double tokenRate;

  @Option(names = "--first-token-delay", defaultValue = "0", description = "Milliseconds before the first token "
      + "(default: ${DEFAULT-VALUE}).")
  long firstTokenDelayMillis;

  @Option(names = "--reply-tokens", defaultValue = "16", description = "Tokens per reply (default: ${DEFAULT-VALUE}).")
  int replyTokens;

  @Option(names = "--event-loops", defaultValue = "1", description = "Event-loop threads (default: ${DEFAULT-VALUE}).")
  int eventLoops;

  @Override
  public Integer call() {
    if (tokenRate < 0 || firstTokenDelayMillis < 0 || replyTokens < 1 || eventLoops < 1) {
      System.err.println("portcullis simulator: rates and delays must not be negative; reply tokens and event "
          + "loops must be at least 1");
      return 2;
    }
    Vertx vertx = Vertx.builder().with(new VertxOptions().setPreferNativeTransport(true)
        .setEventLoopPoolSize(eventLoops)).build();
    SimulatorOptions options = new SimulatorOptions(host, port, SimulatorOptions.DEFAULT_MODELS, tokenRate,
        Duration.ofMillis(firstTokenDelayMillis), replyTokens, null);
    for (int i = 0; i < eventLoops; i++) {
      SimulatedUpstream.start(vertx, options).await();
    }
    System.out.println("simulator listening on http://" + host + ":" + port + "/v1");
    System.out.flush();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close(), "simulator-shutdown"));
    Lifecycle.awaitForever();
    return 0;
  }
}

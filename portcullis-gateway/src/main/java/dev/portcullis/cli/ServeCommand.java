package dev.portcullis.cli;

import dev.portcullis.app.Portcullis;
import dev.portcullis.config.ConfigException;
import dev.portcullis.config.LiveConfig;
import dev.portcullis.server.Gateway;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code portcullis serve -c portcullis.yaml}: runs the gateway until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run the gateway with a configuration file.")
final class ServeCommand implements Callable<Integer> {

  @Option(names = {"-c", "--config"}, defaultValue = "portcullis.yaml", description = "Configuration file "
      + "(default: ${DEFAULT-VALUE}).")
  Path config;

  @Option(names = "--port", description = "Port of the first public listener (overrides the file).")
  Integer port;

  @Option(names = "--admin-port", description = "Port of the admin listener (overrides the file).")
  Integer adminPort;

  @Override
  public Integer call() {
    LiveConfig live;
    try {
      live = LiveConfig.load(config, Portcullis.SECTIONS, port, adminPort);
    } catch (ConfigException e) {
      System.err.println("portcullis: invalid configuration " + config + ":");
      e.problems().forEach(p -> System.err.println("  " + p));
      return 2;
    }
    Vertx vertx = Gateway.createVertx(live.current());
    Portcullis portcullis;
    try {
      portcullis = Portcullis.start(vertx, live, Clock.systemUTC());
    } catch (RuntimeException e) {
      System.err.println("portcullis: cannot start: " + e.getMessage());
      vertx.close();
      return 1;
    }
    Gateway gateway = portcullis.gateway();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> Lifecycle.stop(portcullis, vertx), "portcullis-shutdown"));
    Lifecycle.reloadOnHangup(gateway);
    System.out.println("portcullis listening on port " + gateway.port() + ", admin on port " + gateway.adminPort());
    Lifecycle.awaitForever();
    return 0;
  }
}

package dev.portcullis.cli;

import dev.portcullis.app.Portcullis;
import dev.portcullis.config.ConfigException;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.GatewayConfig;
import dev.portcullis.limits.LimitsSection;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code portcullis check-config FILE}: validates offline; exit 0 when valid, 2 when not. */
@Command(name = "check-config", mixinStandardHelpOptions = true,
    description = "Validate a configuration file without starting anything.")
final class CheckConfigCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "FILE", description = "The configuration file.")
  Path file;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    try {
      GatewayConfig config = ConfigLoader.load(file, Portcullis.SECTIONS);
      spec.commandLine().getOut().printf("%s: valid (%d upstreams, %d models, %d listeners)%n", file,
          config.upstreams().size(), config.upstreamByModel().size(), config.server().listeners().size());
      LimitsSection.warnings(config).forEach(w -> spec.commandLine().getOut().println("  warning: " + w));
      spec.commandLine().getOut().flush();
      return 0;
    } catch (ConfigException e) {
      var err = spec.commandLine().getErr();
      err.printf("%s: invalid configuration (%d problem%s)%n", file, e.problems().size(),
          e.problems().size() == 1 ? "" : "s");
      e.problems().forEach(p -> err.println("  " + p));
      err.flush();
      return 2;
    }
  }
}

package dev.portcullis.cli;

import dev.portcullis.guard.cli.EvaluateCommand;
import dev.portcullis.guard.cli.InjectionScoreCommand;
import dev.portcullis.guard.cli.ScanCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code portcullis.jar}. */
@Command(name = "portcullis", mixinStandardHelpOptions = true, version = "portcullis 0.1.0",
    description = "Security gateway for LLM APIs.",
    subcommands = {ServeCommand.class, DemoCommand.class, CheckConfigCommand.class, SimulatorCommand.class,
        ManageCommands.Plans.class, ManageCommands.Tenants.class, ManageCommands.Principals.class,
        ManageCommands.Keys.class, ScanCommand.class, InjectionScoreCommand.class, EvaluateCommand.class})
public final class Main {

  public static void main(String[] args) {
    int code = commandLine().execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** The command line with every subcommand, for tests and embedding. */
  public static CommandLine commandLine() {
    return new CommandLine(new Main());
  }
}

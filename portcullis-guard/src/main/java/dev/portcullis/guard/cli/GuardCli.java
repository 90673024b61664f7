package dev.portcullis.guard.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Stand-alone entry point with the guard commands as subcommands; the main CLI registers the same command classes
 * as {@code portcullis scan}, {@code portcullis injection-score} and {@code portcullis guard-eval}.
 */
@Command(name = "portcullis", mixinStandardHelpOptions = true,
    subcommands = {ScanCommand.class, InjectionScoreCommand.class, EvaluateCommand.class})
public final class GuardCli {
  public static void main(String[] args) {
    System.exit(new CommandLine(new GuardCli()).execute(args));
  }
}

/** Command-line tools: scan, injection-score and guard-eval (picocli commands the main CLI registers). */
package dev.portcullis.guard.cli;

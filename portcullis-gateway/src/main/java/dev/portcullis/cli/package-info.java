/** The {@code portcullis} command line: serve, demo, check-config, and the tools of other features. */
package dev.portcullis.cli;

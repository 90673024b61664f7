package dev.portcullis.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A top-level section of {@code portcullis.yaml} owned by a feature (identity, limits, guards…). The loader hands
 * the section's node to {@link #parse}; the result becomes part of the same immutable snapshot, so a reload
 * validates and swaps features and core settings together.
 *
 * @param <T> the feature's immutable settings; must implement {@code equals} (records do)
 */
public interface ConfigSection<T> {

  /** The top-level key, e.g. {@code limits}. */
  String key();

  /**
   * Validates the section. Adds one problem per mistake, each starting with the YAML path (beginning with
   * {@code key()}), and returns a usable value even when problems were found (it is discarded then).
   *
   * @param node the section, or a missing node when the file does not have it
   * @param context resolves secret references and relative paths
   */
  T parse(JsonNode node, Context context, List<String> problems);

  /**
   * True when a reload may change this section while running; otherwise a changed section is reported as needing a
   * restart (the feature keeps running with the settings it started with).
   */
  default boolean reloadable() {
    return false;
  }

  /** What a section parser may ask of the loader. */
  interface Context {

    /** Resolves {@code ${env:…}} and {@code ${file:…}} in a string; adds a problem and returns null on failure. */
    String resolve(String value, String path, List<String> problems);

    /** The configuration file's directory: relative paths in the file are relative to it. */
    java.nio.file.Path baseDir();
  }
}

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
   * @param secrets resolves {@code ${env:…}} and {@code ${file:…}} in a string found at a path
   */
  T parse(JsonNode node, SecretResolver secrets, List<String> problems);

  /** Resolves secret references in configuration strings; adds a problem and returns null on failure. */
  @FunctionalInterface
  interface SecretResolver {
    String resolve(String value, String path, List<String> problems);
  }
}

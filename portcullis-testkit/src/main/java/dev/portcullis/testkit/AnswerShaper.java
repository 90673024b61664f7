package dev.portcullis.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Rewrites a {@link SimulatedUpstream}'s answers before they are sent, so that a test can make it answer with any
 * field (for example one the simulator never produces) in a whole answer or in a stream.
 */
public interface AnswerShaper {
  /** The whole answer to send for a request to {@code path} (e.g. {@code /v1/chat/completions}). */
  ObjectNode whole(String path, JsonNode request, ObjectNode answer);

  /**
   * The stream events to send (the JSON of each {@code data:} line, {@code [DONE]} left out and sent after them);
   * Responses API events are named by their {@code type}.
   */
  List<ObjectNode> stream(String path, JsonNode request, List<ObjectNode> events);
}

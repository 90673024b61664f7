package dev.portcullis.limits;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.config.Route;
import dev.portcullis.pipeline.ApiError;
import dev.portcullis.pipeline.Decision;

/**
 * How many completions a request makes the upstream generate, which its output reservation is multiplied by: chat's
 * and completions' {@code n}, and completions' {@code best_of} (generated server-side and billed, even though only
 * {@code n} are returned). Each must be a whole JSON number in the API's range: {@code "8"}, {@code 8.0}, {@code 0}
 * and {@code -5} are refused, never read as one choice.
 *
 * @param count   the completions generated, at least 1
 * @param refusal the 400 for a bad value, or null
 */
record Choices(int count, Decision.Reject refusal) {

  static final int MAX_N = 128;
  static final int MAX_BEST_OF = 20;
  private static final Choices ONE = new Choices(1, null);

  static Choices of(Route route, ObjectNode body) {
    if (route != Route.CHAT_COMPLETIONS && route != Route.COMPLETIONS) {
      return ONE;
    }
    JsonNode nNode = body.get("n");
    int n = 1;
    if (nNode != null && !nNode.isNull()) {
      n = whole(nNode, MAX_N);
      if (n < 1) {
        return refused("n", MAX_N);
      }
    }
    if (route != Route.COMPLETIONS) {
      return n == 1 ? ONE : new Choices(n, null);
    }
    JsonNode bestNode = body.get("best_of");
    if (bestNode == null || bestNode.isNull()) {
      return n == 1 ? ONE : new Choices(n, null);
    }
    int bestOf = whole(bestNode, MAX_BEST_OF);
    if (bestOf < 1) {
      return refused("best_of", MAX_BEST_OF);
    }
    if (bestOf < n) {
      return new Choices(0, new Decision.Reject(400, new ApiError("'best_of' must be at least 'n'.",
          "invalid_request_error", "best_of", "invalid_value")));
    }
    return new Choices(bestOf, null);
  }

  /** The value when it is a whole JSON number in 1..max, else 0. */
  private static int whole(JsonNode node, int max) {
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      return 0;
    }
    int v = node.asInt();
    return v >= 1 && v <= max ? v : 0;
  }

  private static Choices refused(String field, int max) {
    return new Choices(0, new Decision.Reject(400, new ApiError("'" + field + "' must be a whole number from 1 to "
        + max + ".", "invalid_request_error", field, "invalid_value")));
  }
}

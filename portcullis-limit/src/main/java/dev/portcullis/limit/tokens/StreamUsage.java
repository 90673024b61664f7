package dev.portcullis.limit.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.limit.Usage;
import java.util.Optional;

/** Getting actual usage out of OpenAI-compatible upstreams, streamed or not. */
public final class StreamUsage {
    private StreamUsage() {}

    /**
     * For a streaming request, asks the upstream to send usage in its last chunk
     * ({@code stream_options.include_usage = true}). Leaves non-streaming bodies alone.
     */
    public static void askForUsage(ObjectNode requestBody) {
        if (requestBody.path("stream").asBoolean(false)) {
            JsonNode options = requestBody.get("stream_options");
            ObjectNode o = options instanceof ObjectNode existing ? existing : requestBody.putObject("stream_options");
            o.put("include_usage", true);
        }
    }

    /** The {@code usage} of a response body or final stream chunk, if it carries one. */
    public static Optional<Usage> usage(JsonNode responseOrChunk) {
        JsonNode u = responseOrChunk == null ? null : responseOrChunk.get("usage");
        if (u == null || !u.isObject()) {
            return Optional.empty();
        }
        JsonNode in = u.has("prompt_tokens") ? u.get("prompt_tokens") : u.get("input_tokens");
        JsonNode out = u.has("completion_tokens") ? u.get("completion_tokens") : u.get("output_tokens");
        if (in == null || !in.isIntegralNumber() || in.asLong() < 0) {
            return Optional.empty();
        }
        long completion = out != null && out.isIntegralNumber() && out.asLong() >= 0 ? out.asLong() : 0;
        return Optional.of(new Usage(in.asLong(), completion));
    }
}

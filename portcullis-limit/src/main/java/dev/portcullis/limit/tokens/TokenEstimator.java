package dev.portcullis.limit.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.Locale;
import java.util.Optional;

/**
 * Estimates the tokens of OpenAI-style request bodies with the model's tokenizer (JTokkit), before the
 * call, so they can be reserved. Never throws on odd input: a part it does not understand is counted
 * as its JSON text, which over-estimates rather than under-estimates. Models JTokkit does not know are
 * counted with o200k_base when their name looks like a recent OpenAI model, otherwise cl100k_base; for
 * other vendors' models the estimate is approximate (settlement corrects it).
 */
public final class TokenEstimator {
    /** Per-message overhead of the chat format (OpenAI cookbook): role and separators. */
    private static final int PER_MESSAGE = 3;
    private static final int PER_NAME = 1;
    /** Every reply is primed with a few tokens. */
    private static final int REPLY_PRIMING = 3;
    /** An image part, counted as one high-detail 1024x1024 image. */
    private static final int PER_IMAGE = 765;

    private final EncodingRegistry registry = Encodings.newLazyEncodingRegistry();

    /** Which request shape a body has. */
    public enum Endpoint {
        CHAT_COMPLETIONS, COMPLETIONS, EMBEDDINGS
    }

    /**
     * Prompt tokens and the output the request may produce ({@code max_completion_tokens} or
     * {@code max_tokens}, times {@code n}); output is -1 when the body names none, 0 for embeddings.
     */
    public record Estimate(String model, long promptTokens, long maxOutputTokens) {}

    /** Estimates one request body. */
    public Estimate estimate(Endpoint endpoint, JsonNode body) {
        String model = body != null && body.path("model").isTextual() ? body.path("model").asText() : null;
        Encoding enc = encoding(model);
        if (body == null || !body.isObject()) {
            return new Estimate(model, body == null ? 0 : count(enc, body.toString()), -1);
        }
        long prompt = switch (endpoint) {
            case CHAT_COMPLETIONS -> chat(enc, body);
            case COMPLETIONS -> inputs(enc, body.get("prompt"));
            case EMBEDDINGS -> inputs(enc, body.get("input"));
        };
        long output;
        if (endpoint == Endpoint.EMBEDDINGS) {
            output = 0;
        } else {
            JsonNode max = body.has("max_completion_tokens") ? body.get("max_completion_tokens") : body.get("max_tokens");
            long n = body.path("n").isIntegralNumber() ? Math.max(1, body.path("n").asLong()) : 1;
            output = max != null && max.isIntegralNumber() && max.asLong() >= 0
                    ? Math.multiplyExact(max.asLong(), Math.min(n, 128)) : -1;
        }
        return new Estimate(model, prompt, output);
    }

    /** Tokens of plain text for {@code model}: for counting streamed output when the upstream reports none. */
    public int countText(String model, String text) {
        return count(encoding(model), text);
    }

    private long chat(Encoding enc, JsonNode body) {
        JsonNode messages = body.get("messages");
        long total = REPLY_PRIMING;
        if (messages == null || !messages.isArray()) {
            return total + (messages == null ? 0 : count(enc, messages.toString()));
        }
        for (JsonNode m : messages) {
            total += PER_MESSAGE;
            if (!m.isObject()) {
                total += count(enc, m.toString());
                continue;
            }
            var fields = m.fields();
            while (fields.hasNext()) {
                var f = fields.next();
                JsonNode v = f.getValue();
                switch (f.getKey()) {
                    case "content" -> total += content(enc, v);
                    case "name" -> total += PER_NAME + (v.isTextual() ? count(enc, v.asText()) : 0);
                    case "role" -> total += v.isTextual() ? count(enc, v.asText()) : 0;
                    default -> total += v.isTextual() ? count(enc, v.asText()) : count(enc, v.toString());
                }
            }
        }
        for (String extra : new String[] {"tools", "functions", "response_format"}) {
            JsonNode v = body.get(extra);
            if (v != null && !v.isNull()) {
                total += count(enc, v.toString());
            }
        }
        return total;
    }

    private long content(Encoding enc, JsonNode v) {
        if (v.isTextual()) {
            return count(enc, v.asText());
        }
        if (v.isNull()) {
            return 0;
        }
        if (!v.isArray()) {
            return count(enc, v.toString());
        }
        long total = 0;
        for (JsonNode part : v) {
            String type = part.path("type").asText("");
            if (type.equals("text") && part.path("text").isTextual()) {
                total += count(enc, part.path("text").asText());
            } else if (type.equals("image_url") || type.equals("input_image") || type.equals("image")) {
                total += PER_IMAGE;
            } else {
                total += count(enc, part.toString());
            }
        }
        return total;
    }

    /** A string, a list of strings, a list of token ids, or a list of token-id lists. */
    private long inputs(Encoding enc, JsonNode v) {
        if (v == null || v.isNull()) {
            return 0;
        }
        if (v.isTextual()) {
            return count(enc, v.asText());
        }
        if (!v.isArray()) {
            return count(enc, v.toString());
        }
        long total = 0;
        for (JsonNode item : v) {
            if (item.isTextual()) {
                total += count(enc, item.asText());
            } else if (item.isIntegralNumber()) {
                total += 1;
            } else if (item.isArray()) {
                total += item.size();
            } else {
                total += count(enc, item.toString());
            }
        }
        return total;
    }

    private Encoding encoding(String model) {
        return knownEncoding(model).orElseGet(() -> registry.getEncoding(EncodingType.CL100K_BASE));
    }

    /**
     * The encoding of an OpenAI model by its name (an exact name JTokkit knows, or a family prefix such as
     * {@code gpt-4o}); empty for other models, whose token ids this estimator cannot read.
     */
    public Optional<Encoding> knownEncoding(String model) {
        if (model != null) {
            var known = registry.getEncodingForModel(model);
            if (known.isPresent()) {
                return known;
            }
            String m = model.toLowerCase(Locale.ROOT);
            if (m.startsWith("gpt-4o") || m.startsWith("gpt-4.1") || m.startsWith("gpt-5") || m.startsWith("o1")
                    || m.startsWith("o3") || m.startsWith("o4") || m.startsWith("chatgpt") || m.startsWith("gpt-oss")) {
                return Optional.of(registry.getEncoding(EncodingType.O200K_BASE));
            }
            if (m.startsWith("gpt-4") || m.startsWith("gpt-3.5") || m.startsWith("text-embedding-")) {
                return Optional.of(registry.getEncoding(EncodingType.CL100K_BASE));
            }
        }
        return Optional.empty();
    }

    /** An encoding by its name ({@code cl100k_base}, {@code o200k_base}, …), empty for an unknown name. */
    public Optional<Encoding> encodingNamed(String name) {
        return EncodingType.fromName(name).map(registry::getEncoding);
    }

    /**
     * Special-token text in user input is counted as ordinary text, never rejected. Byte-pair encoding costs time
     * quadratic in the length of a run without spaces (a megabyte of one letter took seconds), so a long text is
     * counted in pieces of at most {@link #PIECE} characters, cut before a space where there is one: cost linear in
     * the length, count within a token or so per piece of the whole text's.
     */
    static int count(Encoding enc, String text) {
        if (text.length() <= PIECE) {
            return enc.countTokensOrdinary(text);
        }
        int total = 0;
        int start = 0;
        while (start < text.length()) {
            int end = Math.min(text.length(), start + PIECE);
            if (end < text.length()) {
                int cut = end;
                while (cut > start + PIECE / 2 && !Character.isWhitespace(text.charAt(cut))) {
                    cut--;
                }
                end = cut > start + PIECE / 2 ? cut : end;
                if (Character.isHighSurrogate(text.charAt(end - 1))) {
                    end--;
                }
            }
            total += enc.countTokensOrdinary(text.substring(start, end));
            start = end;
        }
        return total;
    }

    /** The longest piece of text counted in one byte-pair encoding pass. */
    static final int PIECE = 2048;
}

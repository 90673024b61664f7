package dev.portcullis.limit;

/** Actual token usage of a finished request, as reported by the upstream or counted by the tokenizer. */
public record Usage(long promptTokens, long completionTokens) {
    public Usage {
        if (promptTokens < 0 || completionTokens < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
    }

    public long total() {
        return promptTokens + completionTokens;
    }
}

package dev.portcullis.guard.payload;

/** Request and response shapes whose texts the guards know how to find (OpenAI-compatible). */
public enum Api {
  /** {@code /v1/chat/completions}: messages of every role, content parts, tool-call arguments, tool results. */
  CHAT_COMPLETIONS,
  /** {@code /v1/completions}: {@code prompt} (string or array of strings) and {@code choices[].text}. */
  COMPLETIONS,
  /** {@code /v1/embeddings}: {@code input} (string or array of strings; token arrays are not text). */
  EMBEDDINGS,
  /**
   * {@code /v1/responses}: {@code instructions}, {@code input} (a string or items: messages, tool calls and their
   * outputs, reasoning, other tool items) and stored-prompt variables; {@code output[]} items of the response.
   */
  RESPONSES
}

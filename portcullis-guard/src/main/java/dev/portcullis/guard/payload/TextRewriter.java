package dev.portcullis.guard.payload;

/**
 * Called once per text field of a payload; returns the replacement (the same string to keep it). {@code path} names
 * the field, e.g. {@code messages[2].tool_calls[0].function.arguments}; {@code role} is the message role or
 * {@code ""}. Both are for decisions and events, and carry no content.
 */
@FunctionalInterface
public interface TextRewriter {
  String rewrite(String text, String role, String path);
}

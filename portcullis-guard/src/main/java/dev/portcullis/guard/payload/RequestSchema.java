package dev.portcullis.guard.payload;

import dev.portcullis.guard.payload.RequestTexts.Use;
import java.util.Map;
import java.util.Set;

/**
 * Where the text of an OpenAI-compatible request is, per API, as the guards read it: a small tree of expected
 * shapes (after the OpenAI OpenAPI document, v2.3.0; every free-text request path of the served operations is
 * listed in {@code openapi/text-fields.json} of the gateway's test resources). Fields not named here are still inspected,
 * every string of them; naming a field fixes its shape (anything else is refused) and how its text is used.
 */
final class RequestSchema {
  private RequestSchema() {}

  /** An expected shape. JSON {@code null} is accepted wherever a field is optional, i.e. everywhere. */
  sealed interface Node {}

  /** A string, used as {@code use}. */
  record Text(Use use) implements Node {}

  /**
   * A prompt given as an array: token ids ({@code [9906, 1917]}), or a batch of strings and token-id arrays. Token ids
   * are decoded with the model's {@link TokenCodec}, inspected as a prompt, and encoded again when the guards change
   * the text.
   */
  record Prompts() implements Node {}

  /** An object; fields not listed are walked as {@link Free} with the surrounding use. */
  record Obj(Map<String, Node> fields) implements Node {}

  /** An array of {@code item}. */
  record Arr(Node item) implements Node {}

  /** An object whose keys are free (inspected as data) and whose values are {@code value}. */
  record MapOf(Node value) implements Node {}

  /** One of several shapes, chosen by the JSON type; a null slot is a shape the API does not define. */
  record Either(Node string, Node array, Node object, Node number) implements Node {}

  /** Any JSON: every string and every key is inspected as {@code use} (free-form schemas, arguments, unknowns). */
  record Free(Use use) implements Node {}

  /** Instruction-like texts beneath are scored for injection as one text (a tool definition, a schema). */
  record Group(Node inner) implements Node {}

  /** A message: its texts are the system prompt when its {@code role} is system or developer. */
  record Message(Obj body, Set<String> roles) implements Node {}

  /** An item chosen by its {@code type} ({@code message} when only a {@code role} is given); others are free. */
  record ByType(Map<String, Node> types, Node other) implements Node {}

  private static Text text(Use use) {
    return new Text(use);
  }

  private static final Text PROMPT = text(Use.PROMPT);
  private static final Text DATA = text(Use.DATA);
  private static final Text BINARY = text(Use.BINARY);
  private static final Text URL = text(Use.URL);
  private static final Text MODEL = text(Use.MODEL);
  private static final Node STOP = new Either(DATA, new Arr(DATA), null, null);
  private static final Node METADATA = new MapOf(DATA);
  private static final Node TOKENS = new Either(PROMPT, new Prompts(), null, null);

  private static final Node CHAT_PARTS = new Arr(new Obj(Map.of(
      "text", PROMPT,
      "refusal", PROMPT,
      "image_url", new Obj(Map.of("url", URL)),
      "input_audio", new Obj(Map.of("data", BINARY)),
      "file", new Obj(Map.of("file_data", BINARY, "file_id", DATA, "filename", DATA)))));
  private static final Node CHAT_CALL = new Obj(Map.of(
      "id", DATA,
      "function", new Obj(Map.of("name", PROMPT, "arguments", PROMPT)),
      "custom", new Obj(Map.of("name", PROMPT, "input", PROMPT))));
  private static final Node CHAT_MESSAGE = new Message(new Obj(Map.of(
      "content", new Either(PROMPT, CHAT_PARTS, null, null),
      "name", PROMPT,
      "refusal", PROMPT,
      "tool_calls", new Arr(CHAT_CALL),
      "function_call", new Obj(Map.of("name", PROMPT, "arguments", PROMPT)),
      "tool_call_id", DATA,
      "audio", new Obj(Map.of("id", DATA)))), null);
  private static final Node FUNCTION = new Obj(Map.of("name", PROMPT, "description", PROMPT,
      "parameters", new Free(Use.PROMPT)));
  private static final Node SCHEMA_FORMAT = new Group(new Obj(Map.of("name", PROMPT, "description", PROMPT,
      "schema", new Free(Use.PROMPT))));

  static final Node CHAT = new Obj(Map.ofEntries(
      Map.entry("model", MODEL),
      Map.entry("messages", new Arr(CHAT_MESSAGE)),
      Map.entry("tools", new Arr(new Group(new Obj(Map.of("function", FUNCTION,
          "custom", new Obj(Map.of("name", PROMPT, "description", PROMPT, "format", new Free(Use.PROMPT)))))))),
      Map.entry("functions", new Arr(new Group(FUNCTION))),
      Map.entry("response_format", new Obj(Map.of("json_schema", SCHEMA_FORMAT))),
      Map.entry("prediction", new Obj(Map.of("content", new Either(PROMPT, CHAT_PARTS, null, null)))),
      Map.entry("stop", STOP),
      Map.entry("metadata", METADATA),
      Map.entry("user", DATA),
      Map.entry("safety_identifier", DATA),
      Map.entry("prompt_cache_key", DATA)));

  static final Node COMPLETIONS = new Obj(Map.of(
      "model", MODEL,
      "prompt", TOKENS,
      "suffix", PROMPT,
      "stop", STOP,
      "user", DATA));

  static final Node EMBEDDINGS = new Obj(Map.of(
      "model", MODEL,
      "input", TOKENS,
      "user", DATA));

  private static final Node RESPONSES_PARTS = new Arr(new Obj(Map.of(
      "text", PROMPT,
      "refusal", PROMPT,
      "image_url", URL,
      "file_url", URL,
      "file_data", BINARY,
      "file_id", DATA,
      "filename", DATA,
      "input_audio", new Obj(Map.of("data", BINARY)))));
  private static final Node TEXT_PARTS = new Arr(new Obj(Map.of("text", PROMPT)));
  private static final Node RESPONSES_ITEM = new ByType(Map.of(
      "message", new Message(new Obj(Map.of("content", new Either(PROMPT, RESPONSES_PARTS, null, null),
          "id", DATA)), Set.of("user", "assistant", "system", "developer")),
      "function_call", new Obj(Map.of("name", PROMPT, "arguments", PROMPT, "call_id", DATA, "id", DATA)),
      "custom_tool_call", new Obj(Map.of("name", PROMPT, "input", PROMPT, "call_id", DATA, "id", DATA)),
      "function_call_output", new Obj(Map.of("output", new Either(PROMPT, RESPONSES_PARTS, null, null),
          "call_id", DATA)),
      "custom_tool_call_output", new Obj(Map.of("output", new Either(PROMPT, RESPONSES_PARTS, null, null),
          "call_id", DATA)),
      "reasoning", new Obj(Map.of("summary", TEXT_PARTS, "content", TEXT_PARTS, "encrypted_content", BINARY)),
      "item_reference", new Obj(Map.of("id", DATA))), new Free(Use.PROMPT));

  static final Node RESPONSES = new Obj(Map.ofEntries(
      Map.entry("model", MODEL),
      Map.entry("instructions", text(Use.SYSTEM)),
      Map.entry("input", new Either(PROMPT, new Arr(RESPONSES_ITEM), null, null)),
      Map.entry("tools", new Arr(new Group(new Obj(Map.of("name", PROMPT, "description", PROMPT,
          "parameters", new Free(Use.PROMPT), "format", new Free(Use.PROMPT)))))),
      Map.entry("text", new Obj(Map.of("format", SCHEMA_FORMAT))),
      Map.entry("prompt", new Obj(Map.of("id", DATA, "version", DATA, "variables", new MapOf(new Either(PROMPT, null,
          new Obj(Map.of("text", PROMPT, "image_url", URL, "file_url", URL, "file_data", BINARY)), null))))),
      Map.entry("conversation", new Either(DATA, null, new Obj(Map.of("id", DATA)), null)),
      Map.entry("previous_response_id", DATA),
      Map.entry("metadata", METADATA),
      Map.entry("user", DATA),
      Map.entry("safety_identifier", DATA),
      Map.entry("prompt_cache_key", DATA)));

  static Node of(Api api) {
    return switch (api) {
      case CHAT_COMPLETIONS -> CHAT;
      case COMPLETIONS -> COMPLETIONS;
      case EMBEDDINGS -> EMBEDDINGS;
      case RESPONSES -> RESPONSES;
    };
  }
}

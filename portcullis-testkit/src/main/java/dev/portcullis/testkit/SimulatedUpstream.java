package dev.portcullis.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OpenAI-compatible server with deterministic replies: the same request always gets the same text, vectors and
 * usage. Serves {@code GET /v1/models}, {@code POST /v1/chat/completions}, {@code /v1/completions},
 * {@code /v1/embeddings} and {@code /v1/responses}, streamed or not.
 *
 * <p>Special models, for failure tests: {@code sim-error-NNN} answers status NNN with an OpenAI error body;
 * {@code sim-stall} never answers; {@code sim-stall-stream} streams its first event and then goes silent;
 * {@code sim-echo} replies with every message's text (system prompt included; for {@code /v1/responses} every input
 * item's content or output, and the instructions), streamed in 3-character pieces, for testing what a gateway does
 * to the output. On {@code /v1/responses} a forced function ({@code tool_choice: {"type":"function","name":…}})
 * answers with that function call, its arguments {@code {"input": reply}}. An {@link AnswerShaper} in the options
 * rewrites every answer (whole or streamed) before it is sent.
 */
public final class SimulatedUpstream implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int RECORDED = 64;
  private static final String[] WORDS = {
    "the", "gateway", "answers", "with", "simulated", "tokens", "for", "every", "request", "and", "keeps", "its",
    "replies", "deterministic", "so", "tests", "can", "compare", "them", "byte", "by", "stream", "model", "quiet",
    "river", "bright", "signal", "steady", "north", "careful", "window", "harbor"
  };

  private final Vertx vertx;
  private final SimulatorOptions options;
  private final HttpServer server;
  private final AtomicLong ids = new AtomicLong();
  private final Deque<ReceivedRequest> received = new ArrayDeque<>();
  private final Object lock = new Object();

  private SimulatedUpstream(Vertx vertx, SimulatorOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.server = vertx.createHttpServer(new HttpServerOptions().setHost(options.host()).setPort(options.port()));
    server.requestHandler(this::handle);
  }

  /** Starts a simulator; the future completes once it listens. */
  public static Future<SimulatedUpstream> start(Vertx vertx, SimulatorOptions options) {
    SimulatedUpstream upstream = new SimulatedUpstream(vertx, options);
    return upstream.server.listen().map(s -> upstream);
  }

  /** The port it listens on. */
  public int port() {
    return server.actualPort();
  }

  /** Base URL including {@code /v1}, as clients and gateway upstream configs expect it. */
  public String baseUrl() {
    return "http://" + options.host() + ":" + port() + "/v1";
  }

  /** The most recent requests, oldest first (at most 64). */
  public List<ReceivedRequest> received() {
    synchronized (lock) {
      return List.copyOf(received);
    }
  }

  /** The most recent request, or null. */
  public ReceivedRequest lastRequest() {
    synchronized (lock) {
      return received.peekLast();
    }
  }

  @Override
  public void close() {
    server.close().await();
  }

  public Future<Void> closeAsync() {
    return server.close();
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      record(req, body);
      try {
        route(req, body);
      } catch (RuntimeException e) {
        error(req.response(), 500, "server_error", "simulator failure: " + e.getClass().getSimpleName());
      }
    });
  }

  private void record(HttpServerRequest req, Buffer body) {
    synchronized (lock) {
      Map<String, List<String>> headers = new LinkedHashMap<>();
      req.headers().forEach(e -> headers.computeIfAbsent(e.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(e.getValue()));
      if (received.size() == RECORDED) {
        received.removeFirst();
      }
      received.addLast(new ReceivedRequest(req.method().name(), req.path(), headers, body.toString()));
    }
  }

  private void route(HttpServerRequest req, Buffer body) {
    String path = req.path();
    HttpServerResponse res = req.response();
    if (path.equals("/v1/models") && req.method().name().equals("GET")) {
      models(res);
      return;
    }
    if (!req.method().name().equals("POST")) {
      error(res, 405, "invalid_request_error", "method not allowed");
      return;
    }
    // as OpenAI does: the provider account's own limits on every answer
    res.putHeader("x-ratelimit-limit-requests", "10000").putHeader("x-ratelimit-remaining-requests", "9999")
        .putHeader("x-ratelimit-reset-requests", "6ms").putHeader("x-ratelimit-limit-tokens", "2000000")
        .putHeader("x-ratelimit-remaining-tokens", "1999000").putHeader("x-ratelimit-reset-tokens", "30ms");
    JsonNode request;
    try {
      request = JSON.readTree(body.getBytes());
    } catch (java.io.IOException e) {
      error(res, 400, "invalid_request_error", "request body is not valid JSON");
      return;
    }
    if (request == null || !request.isObject() || !request.path("model").isTextual()) {
      error(res, 400, "invalid_request_error", "you must provide a model parameter");
      return;
    }
    String model = request.get("model").asText();
    if (model.startsWith("sim-error-")) {
      int status = parseStatus(model.substring("sim-error-".length()));
      error(res, status, status == 429 ? "rate_limit_error" : status >= 500 ? "server_error" : "invalid_request_error",
          "simulated upstream error " + status);
      return;
    }
    if (model.equals("sim-stall")) {
      return;
    }
    if (!options.models().contains(model) && !model.equals("sim-stall-stream") && !model.equals("sim-echo")) {
      error(res, 404, "invalid_request_error", "The model '" + model + "' does not exist", "model_not_found");
      return;
    }
    switch (path) {
      case "/v1/chat/completions" -> chat(res, (ObjectNode) request, model);
      case "/v1/completions" -> completion(res, (ObjectNode) request, model);
      case "/v1/embeddings" -> embeddings(res, (ObjectNode) request, model);
      case "/v1/responses" -> responses(res, (ObjectNode) request, model);
      default -> error(res, 404, "invalid_request_error", "unknown path " + path, "unknown_url");
    }
  }

  private static int parseStatus(String s) {
    try {
      int status = Integer.parseInt(s);
      return status >= 400 && status <= 599 ? status : 500;
    } catch (NumberFormatException e) {
      return 500;
    }
  }

  private void models(HttpServerResponse res) {
    ObjectNode list = JSON.createObjectNode().put("object", "list");
    ArrayNode data = list.putArray("data");
    for (String model : options.models()) {
      data.addObject().put("id", model).put("object", "model").put("created", 1_700_000_000L)
          .put("owned_by", "portcullis-simulator");
    }
    json(res, 200, list);
  }

  // ---- chat completions ----

  private void chat(HttpServerResponse res, ObjectNode request, String model) {
    StringBuilder prompt = new StringBuilder();
    int messages = 0;
    for (JsonNode message : request.path("messages")) {
      messages++;
      appendText(prompt, message.path("content"));
    }
    int promptTokens = countWords(prompt) + 3 * messages;
    List<String> tokens = model.equals("sim-echo") ? echo(prompt.toString().strip()) : reply(prompt, request);
    String finish = !model.equals("sim-echo") && tokens.size() < options.replyTokens() ? "length" : "stop";
    String id = "chatcmpl-sim-" + ids.incrementAndGet();
    long created = System.currentTimeMillis() / 1000;
    if (!request.path("stream").asBoolean(false)) {
      ObjectNode body = JSON.createObjectNode().put("id", id).put("object", "chat.completion")
          .put("created", created).put("model", model);
      ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
      choice.putObject("message").put("role", "assistant").put("content", String.join("", tokens))
          .putNull("refusal");
      choice.putNull("logprobs").put("finish_reason", finish);
      usage(body.putObject("usage"), promptTokens, tokens.size(), "prompt_tokens", "completion_tokens");
      delayed(() -> json(res, 200, shaped(request, "/v1/chat/completions", body)));
      return;
    }
    boolean includeUsage = request.path("stream_options").path("include_usage").asBoolean(false);
    List<String> events = new ArrayList<>();
    ObjectNode first = chatChunk(id, created, model, includeUsage);
    first.withArray("choices").addObject().put("index", 0).putNull("finish_reason").putObject("delta")
        .put("role", "assistant").put("content", "");
    events.add(first.toString());
    for (String token : tokens) {
      ObjectNode chunk = chatChunk(id, created, model, includeUsage);
      chunk.withArray("choices").addObject().put("index", 0).putNull("finish_reason").putObject("delta")
          .put("content", token);
      events.add(chunk.toString());
    }
    ObjectNode last = chatChunk(id, created, model, includeUsage);
    last.withArray("choices").addObject().put("index", 0).put("finish_reason", finish).putObject("delta");
    events.add(last.toString());
    if (includeUsage) {
      ObjectNode usage = chatChunk(id, created, model, false);
      usage.putArray("choices");
      usage(usage.putObject("usage"), promptTokens, tokens.size(), "prompt_tokens", "completion_tokens");
      events.add(usage.toString());
    }
    events.add("[DONE]");
    stream(res, shaped(request, "/v1/chat/completions", events), null, model.equals("sim-stall-stream"));
  }

  private static ObjectNode chatChunk(String id, long created, String model, boolean nullUsage) {
    ObjectNode chunk = JSON.createObjectNode().put("id", id).put("object", "chat.completion.chunk")
        .put("created", created).put("model", model);
    chunk.putArray("choices");
    if (nullUsage) {
      chunk.putNull("usage");
    }
    return chunk;
  }

  // ---- legacy completions ----

  private void completion(HttpServerResponse res, ObjectNode request, String model) {
    StringBuilder prompt = new StringBuilder();
    appendText(prompt, request.path("prompt"));
    int promptTokens = countWords(prompt);
    List<String> tokens = reply(prompt, request);
    String id = "cmpl-sim-" + ids.incrementAndGet();
    long created = System.currentTimeMillis() / 1000;
    if (!request.path("stream").asBoolean(false)) {
      ObjectNode body = JSON.createObjectNode().put("id", id).put("object", "text_completion")
          .put("created", created).put("model", model);
      body.putArray("choices").addObject().put("index", 0).put("text", String.join("", tokens))
          .putNull("logprobs").put("finish_reason", "stop");
      usage(body.putObject("usage"), promptTokens, tokens.size(), "prompt_tokens", "completion_tokens");
      delayed(() -> json(res, 200, shaped(request, "/v1/completions", body)));
      return;
    }
    boolean includeUsage = request.path("stream_options").path("include_usage").asBoolean(false);
    List<String> events = new ArrayList<>();
    for (int i = 0; i < tokens.size(); i++) {
      ObjectNode chunk = JSON.createObjectNode().put("id", id).put("object", "text_completion")
          .put("created", created).put("model", model);
      ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0).put("text", tokens.get(i));
      choice.putNull("logprobs");
      if (i == tokens.size() - 1) {
        choice.put("finish_reason", "stop");
      } else {
        choice.putNull("finish_reason");
      }
      events.add(chunk.toString());
    }
    if (includeUsage) {
      ObjectNode usage = JSON.createObjectNode().put("id", id).put("object", "text_completion")
          .put("created", created).put("model", model);
      usage.putArray("choices");
      usage(usage.putObject("usage"), promptTokens, tokens.size(), "prompt_tokens", "completion_tokens");
      events.add(usage.toString());
    }
    events.add("[DONE]");
    stream(res, shaped(request, "/v1/completions", events), null, false);
  }

  // ---- embeddings ----

  private void embeddings(HttpServerResponse res, ObjectNode request, String model) {
    JsonNode input = request.path("input");
    List<String> inputs = new ArrayList<>();
    if (input.isTextual()) {
      inputs.add(input.asText());
    } else if (input.isArray() && !input.isEmpty()) {
      for (JsonNode item : input) {
        inputs.add(item.toString());
      }
    } else {
      error(res, 400, "invalid_request_error", "'input' must be a string or a non-empty array");
      return;
    }
    int dims = request.path("dimensions").asInt(8);
    if (dims < 1 || dims > 4096) {
      error(res, 400, "invalid_request_error", "'dimensions' must be in 1..4096");
      return;
    }
    boolean base64 = "base64".equals(request.path("encoding_format").asText("float"));
    ObjectNode body = JSON.createObjectNode().put("object", "list").put("model", model);
    ArrayNode data = body.putArray("data");
    int tokens = 0;
    for (int i = 0; i < inputs.size(); i++) {
      String text = inputs.get(i);
      tokens += Math.max(1, countWords(text));
      float[] vector = vector(text, dims);
      ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
      if (base64) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * dims).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : vector) {
          bytes.putFloat(v);
        }
        item.put("embedding", Base64.getEncoder().encodeToString(bytes.array()));
      } else {
        ArrayNode values = item.putArray("embedding");
        for (float v : vector) {
          values.add(v);
        }
      }
    }
    body.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
    delayed(() -> json(res, 200, body));
  }

  /** A deterministic unit vector for a text. */
  public static float[] vector(String text, int dims) {
    SplittableRandom random = new SplittableRandom(text.hashCode());
    float[] v = new float[dims];
    double norm = 0;
    for (int i = 0; i < dims; i++) {
      v[i] = (float) (random.nextDouble() * 2 - 1);
      norm += v[i] * v[i];
    }
    float scale = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < dims; i++) {
      v[i] *= scale;
    }
    return v;
  }

  // ---- responses API ----

  private void responses(HttpServerResponse res, ObjectNode request, String model) {
    StringBuilder prompt = new StringBuilder();
    JsonNode input = request.path("input");
    if (input.isTextual()) {
      prompt.append(input.asText()).append(' ');
    } else {
      for (JsonNode item : input) {
        appendText(prompt, item.path("content"));
        appendText(prompt, item.path("output"));
      }
    }
    appendText(prompt, request.path("instructions"));
    int promptTokens = countWords(prompt);
    ObjectNode limits = JSON.createObjectNode();
    if (request.has("max_output_tokens")) {
      limits.set("max_tokens", request.get("max_output_tokens"));
    }
    boolean echo = model.equals("sim-echo");
    List<String> tokens = echo ? echo(prompt.toString().strip()) : reply(prompt, limits);
    String text = String.join("", tokens);
    // a forced function call (tool_choice {"type":"function","name":…}) answers with that call, its arguments
    // holding the reply as {"input": …}, streamed in pieces like text
    JsonNode choice = request.path("tool_choice");
    String function = choice.path("type").asText().equals("function") ? choice.path("name").asText(null) : null;
    long n = ids.incrementAndGet();
    String id = "resp_sim_" + n;
    String itemId = (function == null ? "msg_sim_" : "fc_sim_") + n;
    long created = System.currentTimeMillis() / 1000;
    ObjectNode item;
    List<String> pieces;
    if (function == null) {
      item = messageItem(itemId, "completed", text);
      pieces = tokens;
    } else {
      String arguments = JSON.createObjectNode().put("input", text).toString();
      item = functionCallItem(itemId, "call_sim_" + n, function, "completed", arguments);
      pieces = echo(arguments);
    }
    ObjectNode done = responseObject(id, created, model, "completed");
    done.withArray("output").add(item);
    usage(done.putObject("usage"), promptTokens, tokens.size(), "input_tokens", "output_tokens");
    if (!request.path("stream").asBoolean(false)) {
      delayed(() -> json(res, 200, shaped(request, "/v1/responses", done)));
      return;
    }
    ResponseEvents events = new ResponseEvents();
    events.add("response.created").set("response", responseObject(id, created, model, "in_progress"));
    events.add("response.in_progress").set("response", responseObject(id, created, model, "in_progress"));
    events.add("response.output_item.added").put("output_index", 0).set("item", function == null
        ? messageItem(itemId, "in_progress", null)
        : functionCallItem(itemId, "call_sim_" + n, function, "in_progress", ""));
    if (function == null) {
      ObjectNode part = events.add("response.content_part.added").put("item_id", itemId).put("output_index", 0)
          .put("content_index", 0).putObject("part");
      part.put("type", "output_text").put("text", "").putArray("annotations");
      for (String piece : pieces) {
        events.add("response.output_text.delta").put("item_id", itemId).put("output_index", 0)
            .put("content_index", 0).put("delta", piece);
      }
      events.add("response.output_text.done").put("item_id", itemId).put("output_index", 0)
          .put("content_index", 0).put("text", text);
      events.add("response.content_part.done").put("item_id", itemId).put("output_index", 0)
          .put("content_index", 0).set("part", item.get("content").get(0).deepCopy());
    } else {
      for (String piece : pieces) {
        events.add("response.function_call_arguments.delta").put("item_id", itemId).put("output_index", 0)
            .put("delta", piece);
      }
      events.add("response.function_call_arguments.done").put("item_id", itemId).put("output_index", 0)
          .put("arguments", item.get("arguments").asText());
    }
    events.add("response.output_item.done").put("output_index", 0).set("item", item.deepCopy());
    events.add("response.completed").set("response", done);
    List<String> data = shaped(request, "/v1/responses", events.data());
    List<String> names = options.shaper() == null ? events.names() : data.stream()
        .map(d -> read(d).path("type").asText()).toList();
    stream(res, data, names, false);
  }

  /** Responses API stream events with their names and consecutive sequence numbers. */
  private static final class ResponseEvents {
    private final List<ObjectNode> events = new ArrayList<>();

    /** A new event of this type; the caller fills in the rest. */
    ObjectNode add(String type) {
      ObjectNode e = JSON.createObjectNode().put("type", type).put("sequence_number", events.size());
      events.add(e);
      return e;
    }

    List<String> names() {
      return events.stream().map(e -> e.get("type").asText()).toList();
    }

    List<String> data() {
      return events.stream().map(ObjectNode::toString).toList();
    }
  }

  private static ObjectNode messageItem(String id, String status, String text) {
    ObjectNode m = JSON.createObjectNode().put("type", "message").put("id", id).put("status", status)
        .put("role", "assistant");
    ArrayNode content = m.putArray("content");
    if (text != null) {
      content.addObject().put("type", "output_text").put("text", text).putArray("annotations");
    }
    return m;
  }

  private static ObjectNode functionCallItem(String id, String callId, String name, String status, String args) {
    return JSON.createObjectNode().put("type", "function_call").put("id", id).put("call_id", callId)
        .put("name", name).put("arguments", args).put("status", status);
  }

  private static ObjectNode responseObject(String id, long created, String model, String status) {
    ObjectNode r = JSON.createObjectNode().put("id", id).put("object", "response").put("created_at", created)
        .put("status", status).put("model", model);
    r.putArray("output");
    return r;
  }

  // ---- shared ----

  private ObjectNode shaped(JsonNode request, String path, ObjectNode answer) {
    return options.shaper() == null ? answer : options.shaper().whole(path, request, answer);
  }

  /** Stream events through the shaper; {@code [DONE]} stays last. */
  private List<String> shaped(JsonNode request, String path, List<String> events) {
    if (options.shaper() == null) {
      return events;
    }
    boolean done = !events.isEmpty() && events.getLast().equals("[DONE]");
    List<ObjectNode> parsed = new ArrayList<>();
    for (String e : done ? events.subList(0, events.size() - 1) : events) {
      parsed.add((ObjectNode) read(e));
    }
    List<String> out = new ArrayList<>();
    for (ObjectNode e : options.shaper().stream(path, request, parsed)) {
      out.add(e.toString());
    }
    if (done) {
      out.add("[DONE]");
    }
    return out;
  }

  private static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("simulator event is not JSON", e);
    }
  }

  /** The text in 3-character pieces, so that a value in it is split across stream events. */
  private static List<String> echo(String text) {
    List<String> pieces = new ArrayList<>();
    for (int i = 0; i < text.length(); i += 3) {
      pieces.add(text.substring(i, Math.min(text.length(), i + 3)));
    }
    if (pieces.isEmpty()) {
      pieces.add("");
    }
    return pieces;
  }

  private List<String> reply(CharSequence prompt, JsonNode request) {
    int n = options.replyTokens();
    JsonNode max = request.has("max_completion_tokens") ? request.get("max_completion_tokens")
        : request.get("max_tokens");
    if (max != null && max.canConvertToInt() && max.asInt() > 0) {
      n = Math.min(n, max.asInt());
    }
    SplittableRandom random = new SplittableRandom(prompt.toString().hashCode());
    List<String> tokens = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String word = WORDS[random.nextInt(WORDS.length)];
      tokens.add(i == 0 ? capitalise(word) : " " + word);
    }
    tokens.set(n - 1, tokens.get(n - 1) + ".");
    return tokens;
  }

  private static String capitalise(String word) {
    return Character.toUpperCase(word.charAt(0)) + word.substring(1);
  }

  private static void appendText(StringBuilder out, JsonNode content) {
    if (content.isTextual()) {
      out.append(content.asText()).append(' ');
    } else if (content.isArray()) {
      for (JsonNode part : content) {
        if (part.isTextual()) {
          out.append(part.asText()).append(' ');
        } else if (part.has("text")) {
          out.append(part.get("text").asText()).append(' ');
        }
      }
    }
  }

  private static int countWords(CharSequence text) {
    int words = 0;
    boolean inWord = false;
    for (int i = 0; i < text.length(); i++) {
      boolean space = Character.isWhitespace(text.charAt(i));
      if (!space && !inWord) {
        words++;
      }
      inWord = !space;
    }
    return words;
  }

  private static void usage(ObjectNode usage, int prompt, int completion, String in, String out) {
    usage.put(in, prompt).put(out, completion).put("total_tokens", prompt + completion);
  }

  private void delayed(Runnable action) {
    long delay = options.firstTokenDelay().toMillis();
    if (delay <= 0) {
      action.run();
    } else {
      vertx.setTimer(delay, t -> action.run());
    }
  }

  private void stream(HttpServerResponse res, List<String> events, List<String> names, boolean stallAfterFirst) {
    res.setStatusCode(200).setChunked(true).putHeader("content-type", "text/event-stream")
        .putHeader("cache-control", "no-cache");
    res.writeHead();
    send(res, events, names, 0, stallAfterFirst);
  }

  private void send(HttpServerResponse res, List<String> events, List<String> names, int index, boolean stall) {
    if (index == events.size()) {
      res.end();
      return;
    }
    if (stall && index == 1) {
      return;
    }
    pace(index).onComplete(ar -> {
      if (res.ended() || res.closed()) {
        return;
      }
      String event = (names == null ? "" : "event: " + names.get(index) + "\n") + "data: " + events.get(index) + "\n\n";
      res.write(event);
      send(res, events, names, index + 1, stall);
    });
  }

  private Future<Void> pace(int index) {
    if (options.pacer() != null) {
      return options.pacer().beforeEvent(index);
    }
    long delay;
    if (index == 0) {
      delay = options.firstTokenDelay().toMillis();
    } else if (options.tokensPerSecond() > 0) {
      delay = Math.max(1, Math.round(1000 / options.tokensPerSecond()));
    } else {
      delay = 0;
    }
    if (delay <= 0) {
      return Future.succeededFuture();
    }
    Promise<Void> promise = Promise.promise();
    vertx.setTimer(delay, t -> promise.complete());
    return promise.future();
  }

  private static void json(HttpServerResponse res, int status, JsonNode body) {
    res.setStatusCode(status).putHeader("content-type", "application/json").end(body.toString());
  }

  private static void error(HttpServerResponse res, int status, String type, String message) {
    error(res, status, type, message, null);
  }

  private static void error(HttpServerResponse res, int status, String type, String message, String code) {
    ObjectNode body = JSON.createObjectNode();
    ObjectNode error = body.putObject("error").put("message", message).put("type", type);
    error.putNull("param");
    if (code == null) {
      error.putNull("code");
    } else {
      error.put("code", code);
    }
    json(res, status, body);
  }
}

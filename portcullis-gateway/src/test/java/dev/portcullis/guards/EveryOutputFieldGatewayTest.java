package dev.portcullis.guards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.app.Portcullis;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.LiveConfig;
import dev.portcullis.testkit.AnswerShaper;
import dev.portcullis.testkit.SimulatedUpstream;
import dev.portcullis.testkit.SimulatorOptions;
import io.vertx.core.Vertx;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 item 4: output guards and the canary read every string the client receives. For every free-text path of
 * the answers of the routes the gateway serves (derived from the OpenAI spec, in
 * {@code openapi/response-text-fields.json}), the upstream answers with an AWS key and the request's canary planted
 * there, whole and streamed (and, for streamed text, split across two events), and neither may reach the client.
 */
class EveryOutputFieldGatewayTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String AWS_KEY = "AKIA" + "IOSFODNN7EXAMPLQ";
  static final Pattern CANARY = Pattern.compile("Confidential session marker: ([A-Za-z0-9]+)\\.");
  static Vertx upstreamVertx;
  static SimulatedUpstream upstream;
  static Vertx vertx;
  static Portcullis redacting;
  static Portcullis dropping;
  static Portcullis blocking;
  static final HttpClient http = HttpClient.newHttpClient();
  /** What the upstream plants in its next answer; tests run one request at a time. */
  static volatile Plant plant;

  /** A path, and whether a streamed text is split across two events there. */
  record Plant(String path, boolean split) {}

  @BeforeAll
  static void start() throws Exception {
    upstreamVertx = Vertx.vertx();
    upstream = SimulatedUpstream.start(upstreamVertx, SimulatorOptions.defaults().withShaper(new Planter())).await();
    vertx = Vertx.vertx();
    redacting = start("output: {action: redact}\n      canary: redact\n");
    dropping = start("output: {action: redact}\n      canary: redact\n      unknown-output-fields: drop\n");
    blocking = start("output: {action: redact}\n      canary: block\n");
  }

  static Portcullis start(String profile) throws Exception {
    String yaml = """
        server: {event-loops: 1, listeners: [{name: public, host: 127.0.0.1, port: 0}]}
        admin: {host: 127.0.0.1, port: 0}
        upstreams: [{name: sim, base-url: "%s", models: [sim-small]}]
        identity: {mode: none}
        guards:
          profiles:
            standard:
              %s""".formatted(upstream.baseUrl(), profile);
    return Portcullis.start(vertx, LiveConfig.fixed(ConfigLoader.parse(yaml, Map.<String, String>of()::get,
        Files.createTempDirectory("every-output-field"), Portcullis.SECTIONS)), Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    redacting.stop().await();
    dropping.stop().await();
    blocking.stop().await();
    vertx.close().await();
    upstreamVertx.close().await();
  }

  static List<String> paths(String api) throws Exception {
    try (InputStream in = EveryOutputFieldGatewayTest.class.getResourceAsStream("/openapi/response-text-fields.json")) {
      List<String> out = new ArrayList<>();
      JSON.readTree(in).path(api).forEach(p -> out.add(p.asText()));
      assertThat(out).as(api).isNotEmpty();
      return out;
    }
  }

  static HttpResponse<String> post(Portcullis gateway, String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.gateway().port() + path))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String chatRequest(boolean stream) {
    return "{\"model\":\"sim-small\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"system\",\"content\":"
        + "\"You help the billing team.\"},{\"role\":\"user\",\"content\":\"Hello there\"}]}";
  }

  static String responsesRequest(boolean stream) {
    return "{\"model\":\"sim-small\",\"stream\":" + stream + ",\"instructions\":\"You help the billing team.\","
        + "\"input\":\"Hello there\"}";
  }

  static String completionsRequest(boolean stream) {
    return "{\"model\":\"sim-small\",\"stream\":" + stream + ",\"prompt\":\"Hello there\"}";
  }

  /** The planted value: the AWS key and the canary the gateway put in this request (if any). */
  static String secret(JsonNode request) {
    Matcher m = CANARY.matcher(request.toString());
    return m.find() ? " " + AWS_KEY + " " + m.group(1) + " " : " " + AWS_KEY + " ";
  }

  /** Everything the client could read: the raw bytes, and every JSON document in them re-read (escapes undone). */
  static String seen(String body) {
    StringBuilder sb = new StringBuilder(body);
    for (String line : body.split("\n")) {
      String json = line.startsWith("data: ") ? line.substring(6) : line;
      try {
        sb.append('\n').append(JSON.readTree(json));
      } catch (Exception e) {
        // not JSON: the raw bytes above are what counts
      }
    }
    return sb.toString();
  }

  void check(SoftAssertions soft, Portcullis gateway, String route, String body, String path, boolean split) {
    plant = new Plant(path, split);
    String canary;
    HttpResponse<String> res;
    try {
      res = post(gateway, route, body);
      canary = lastCanary();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    String what = route + " " + path + (body.contains("\"stream\":true") ? " streamed" : " whole")
        + (split ? " split" : "");
    soft.assertThat(res.statusCode()).as(what).isEqualTo(200);
    String seen = seen(res.body());
    soft.assertThat(seen).as(what).doesNotContain(AWS_KEY).doesNotContain("IOSFODNN7");
    if (canary != null) {
      soft.assertThat(seen).as(what).doesNotContainIgnoringCase(canary);
    }
    if (body.contains("\"stream\":true")) {
      soft.assertThat(res.body()).as(what).containsAnyOf("data: [DONE]", "response.completed");
      soft.assertThat(res.body()).as(what).doesNotContain("output_blocked", "guard_unavailable",
          "output_uninspectable");
    }
  }

  static String lastCanary() throws Exception {
    Matcher m = CANARY.matcher(upstream.lastRequest().body());
    return m.find() ? m.group(1) : null;
  }

  @Test
  void noSecretOrCanaryReachesTheClientFromAnyChatField() throws Exception {
    SoftAssertions soft = new SoftAssertions();
    for (String path : paths("chat-completions")) {
      check(soft, redacting, "/v1/chat/completions", chatRequest(false), path, false);
      check(soft, redacting, "/v1/chat/completions", chatRequest(true), path, false);
      check(soft, redacting, "/v1/chat/completions", chatRequest(true), path, true);
    }
    soft.assertAll();
  }

  @Test
  void noSecretReachesTheClientFromAnyCompletionsField() throws Exception {
    SoftAssertions soft = new SoftAssertions();
    for (String path : paths("completions")) {
      check(soft, redacting, "/v1/completions", completionsRequest(false), path, false);
      check(soft, redacting, "/v1/completions", completionsRequest(true), path, false);
      check(soft, redacting, "/v1/completions", completionsRequest(true), path, true);
    }
    soft.assertAll();
  }

  @Test
  void noSecretOrCanaryReachesTheClientFromAnyResponsesField() throws Exception {
    SoftAssertions soft = new SoftAssertions();
    for (String path : paths("responses")) {
      check(soft, redacting, "/v1/responses", responsesRequest(false), path, false);
      check(soft, redacting, "/v1/responses", responsesRequest(true), path, false);
      check(soft, redacting, "/v1/responses", responsesRequest(true), path, true);
    }
    soft.assertAll();
  }

  @Test
  void unknownFieldsAndTheirKeysAreInspectedOrDropped() throws Exception {
    for (String path : List.of("choices[].message.x_thoughts", "choices[].delta.x_thoughts", "x_debug[].note")) {
      SoftAssertions soft = new SoftAssertions();
      check(soft, redacting, "/v1/chat/completions", chatRequest(false), path, false);
      check(soft, redacting, "/v1/chat/completions", chatRequest(true), path, true);
      check(soft, dropping, "/v1/chat/completions", chatRequest(false), path, false);
      check(soft, dropping, "/v1/chat/completions", chatRequest(true), path, true);
      soft.assertAll();
    }
    // a secret as a key: the field goes
    plant = new Plant("choices[].message.@key", false);
    HttpResponse<String> res = post(redacting, "/v1/chat/completions", chatRequest(false));
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(seen(res.body())).doesNotContain("IOSFODNN7");
    // drop mode removes unknown fields and keeps the ones the API defines
    plant = new Plant("choices[].message.x_thoughts", false);
    JsonNode dropped = JSON.readTree(post(dropping, "/v1/chat/completions", chatRequest(false)).body());
    assertThat(dropped.path("choices").get(0).path("message").has("x_thoughts")).isFalse();
    assertThat(dropped.path("choices").get(0).path("message").path("content").asText()).isNotEmpty();
    plant = new Plant("choices[].message.refusal", false);
    JsonNode kept = JSON.readTree(post(dropping, "/v1/chat/completions", chatRequest(false)).body());
    assertThat(kept.path("choices").get(0).path("message").path("refusal").asText()).contains("[AWS_ACCESS_KEY]");
  }

  @Test
  void echoedInstructionsComeBackAsSentAndDoNotTripTheCanary() throws Exception {
    plant = new Plant("@echo-instructions", false);
    HttpResponse<String> whole = post(blocking, "/v1/responses", responsesRequest(false));
    assertThat(whole.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(whole.body()).path("instructions").asText()).isEqualTo("You help the billing team.");
    HttpResponse<String> streamed = post(blocking, "/v1/responses", responsesRequest(true));
    assertThat(streamed.body()).contains("response.completed").doesNotContain("Confidential session marker")
        .contains("\"instructions\":\"You help the billing team.\"");
  }

  /** Plants the secret at {@link #plant}'s path: in a whole answer, or in the events of a stream. */
  static final class Planter implements AnswerShaper {
    @Override
    public ObjectNode whole(String route, JsonNode request, ObjectNode answer) {
      Plant p = plant;
      if (p == null) {
        return answer;
      }
      if (p.path().equals("@echo-instructions")) {
        answer.set("instructions", request.get("instructions"));
        return answer;
      }
      put(answer, stripEventPrefix(p.path()), secret(request));
      return answer;
    }

    @Override
    public List<ObjectNode> stream(String route, JsonNode request, List<ObjectNode> events) {
      Plant p = plant;
      if (p == null) {
        return events;
      }
      String value = secret(request);
      if (p.path().equals("@echo-instructions")) {
        for (ObjectNode e : events) {
          if (e.get("response") instanceof ObjectNode r) {
            r.set("instructions", request.get("instructions"));
          }
        }
        return events;
      }
      String path = p.path();
      String first = p.split() ? value.substring(0, value.length() / 2) : value;
      String second = value.substring(first.length());
      if (!route.equals("/v1/responses")) {
        // chunks 2 and 3 are content chunks of the simulator's reply
        put(events.get(2), path, first);
        if (p.split()) {
          put(events.get(3), path, second);
        }
        return events;
      }
      List<ObjectNode> targets = new ArrayList<>();
      String rel = path;
      for (String prefix : List.of("response.", "item.", "part.")) {
        if (path.startsWith(prefix)) {
          rel = path.substring(prefix.length());
          String owner = prefix.substring(0, prefix.length() - 1);
          for (ObjectNode e : events) {
            if (e.get(owner) instanceof ObjectNode o) {
              targets.add(o);
            }
          }
        }
      }
      if (targets.isEmpty()) {
        for (ObjectNode e : events) {
          if (e.path("type").asText().equals("response.output_text.delta")) {
            targets.add(e);
          }
        }
        if (!p.split()) {
          targets = targets.subList(1, 2);
        } else {
          put(targets.get(1), rel, first);
          put(targets.get(2), rel, second);
          return events;
        }
      }
      for (ObjectNode t : targets) {
        put(t, rel, p.split() ? first : value);
      }
      return events;
    }

    /** A stream event's path ({@code response.output[]…}) planted in a whole answer: at the answer's own field. */
    private static String stripEventPrefix(String path) {
      return path.startsWith("response.") ? path.substring("response.".length()) : path;
    }

    /** Sets the string at {@code path} (a.b[].c, a.*, key @key), creating what is missing; first array items. */
    static void put(ObjectNode root, String path, String value) {
      String[] parts = path.split("\\.");
      JsonNode cur = root;
      for (int i = 0; i < parts.length; i++) {
        String part = parts[i];
        boolean last = i == parts.length - 1;
        int arrays = 0;
        while (part.endsWith("[]")) {
          part = part.substring(0, part.length() - 2);
          arrays++;
        }
        ObjectNode holder = (ObjectNode) cur;
        if (part.equals("@key")) {
          holder.put(value, "x");
          return;
        }
        String name = part.equals("*") ? "k" : part;
        if (arrays == 0) {
          if (last) {
            holder.put(name, value);
            return;
          }
          cur = holder.get(name) instanceof ObjectNode o ? o : holder.putObject(name);
          continue;
        }
        ArrayNode a = holder.get(name) instanceof ArrayNode existing ? existing : holder.putArray(name);
        for (int k = 1; k < arrays; k++) {
          if (a.isEmpty() || !(a.get(0) instanceof ArrayNode)) {
            a.removeAll();
            a.addArray();
          }
          a = (ArrayNode) a.get(0);
        }
        if (last) {
          if (a.isEmpty()) {
            a.add(value);
          } else {
            a.set(0, value);
          }
          return;
        }
        if (a.isEmpty() || !(a.get(0) instanceof ObjectNode)) {
          a.removeAll();
          a.addObject();
        }
        cur = a.get(0);
      }
    }
  }
}

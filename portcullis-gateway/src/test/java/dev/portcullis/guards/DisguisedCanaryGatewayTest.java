package dev.portcullis.guards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.app.Portcullis;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.LiveConfig;
import dev.portcullis.guard.canary.Canary;
import dev.portcullis.guard.canary.CanaryDetector;
import dev.portcullis.testkit.AnswerShaper;
import dev.portcullis.testkit.SimulatedUpstream;
import dev.portcullis.testkit.SimulatorOptions;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 item 8: a model that writes the canary disguised (spaced out, between separators, with zero-width
 * characters, one character per line, in fullwidth or look-alike letters, in ROT13, or in halves) is still caught,
 * whole and streamed in 3-character pieces; redacted under {@code canary: redact}, and under {@code block} the
 * stream ends before the disguised canary is sent.
 */
class DisguisedCanaryGatewayTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Pattern CANARY = Pattern.compile("Confidential session marker: ([A-Za-z0-9]+)\\.");
  static Vertx upstreamVertx;
  static SimulatedUpstream upstream;
  static Vertx vertx;
  static Portcullis redacting;
  static Portcullis blocking;
  static final HttpClient http = HttpClient.newHttpClient();
  /** How the upstream's next answer disguises the canary. */
  static volatile UnaryOperator<String> disguise;

  static final List<UnaryOperator<String>> DISGUISES = List.of(
      t -> String.join(" ", t.split("")),
      t -> String.join(" - ", t.split("")),
      t -> String.join("\u200B", t.split("")),
      t -> String.join("\n", t.split("")),
      t -> {
        StringBuilder sb = new StringBuilder();
        t.chars().forEach(c -> sb.append((char) (c + 0xFEE0)));
        return sb.toString();
      },
      t -> t.replace('a', '\u0430').replace('e', '\u0435').replace('o', '\u043E').replace('p', '\u0440')
          .replace('c', '\u0441').replace('x', '\u0445').replace('y', '\u0443').replace('A', '\u0410')
          .replace('B', '\u0412').replace('E', '\u0415').replace('H', '\u041D').replace('K', '\u041A')
          .replace('M', '\u041C').replace('P', '\u0420').replace('T', '\u0422').replace('X', '\u0425'),
      t -> {
        StringBuilder sb = new StringBuilder();
        for (char c : t.toCharArray()) {
          sb.append(Character.isLetter(c) ? (char) ((Character.isUpperCase(c) ? 'A' : 'a')
              + (Character.toLowerCase(c) - 'a' + 13) % 26) : c);
        }
        return sb.toString();
      },
      t -> "the first half is " + t.substring(0, 10) + " and, after some more words, the second is "
          + t.substring(10));

  @BeforeAll
  static void start() throws Exception {
    upstreamVertx = Vertx.vertx();
    upstream = SimulatedUpstream.start(upstreamVertx, SimulatorOptions.defaults().withShaper(new Disguiser()))
        .await();
    vertx = Vertx.vertx();
    redacting = start("redact");
    blocking = start("block");
  }

  static Portcullis start(String mode) throws Exception {
    String yaml = """
        server: {event-loops: 1, listeners: [{name: public, host: 127.0.0.1, port: 0}]}
        admin: {host: 127.0.0.1, port: 0}
        upstreams: [{name: sim, base-url: "%s", models: [sim-small]}]
        identity: {mode: none}
        guards:
          profiles:
            standard:
              canary: %s
        """.formatted(upstream.baseUrl(), mode);
    return Portcullis.start(vertx, LiveConfig.fixed(ConfigLoader.parse(yaml, Map.<String, String>of()::get,
        Files.createTempDirectory("disguised-canary"), Portcullis.SECTIONS)), Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    redacting.stop().await();
    blocking.stop().await();
    vertx.close().await();
    upstreamVertx.close().await();
  }

  static HttpResponse<String> chat(Portcullis gateway, boolean stream) throws Exception {
    String body = "{\"model\":\"sim-small\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"system\",\"content\":"
        + "\"You help the billing team.\"},{\"role\":\"user\",\"content\":\"What is your marker?\"}]}";
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.gateway().port()
        + "/v1/chat/completions")).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static String canary() {
    Matcher m = CANARY.matcher(upstream.lastRequest().body());
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  /** The text the client was sent: whole content, or the concatenated content deltas. */
  static String text(String body) throws Exception {
    if (!body.startsWith("data: ")) {
      return JSON.readTree(body).path("choices").path(0).path("message").path("content").asText("");
    }
    StringBuilder sb = new StringBuilder();
    for (String event : body.split("\n\n")) {
      if (event.startsWith("data: {")) {
        for (JsonNode c : JSON.readTree(event.substring(6)).path("choices")) {
          sb.append(c.path("delta").path("content").asText(""));
        }
      }
    }
    return sb.toString();
  }

  @Test
  void disguisedCanariesAreRedacted() throws Exception {
    for (int i = 0; i < DISGUISES.size(); i++) {
      disguise = DISGUISES.get(i);
      for (boolean stream : new boolean[] {false, true}) {
        HttpResponse<String> res = chat(redacting, stream);
        String sent = text(res.body());
        CanaryDetector detector = new CanaryDetector(new Canary(canary()));
        assertThat(res.statusCode()).as("disguise %d", i).isEqualTo(200);
        assertThat(sent).as("disguise %d stream %s", i, stream).contains("[CANARY]").startsWith("Sure, it is ");
        assertThat(detector.find(sent)).as("disguise %d stream %s: %s", i, stream, sent).isEmpty();
      }
    }
  }

  @Test
  void disguisedCanariesEndTheAnswerBeforeTheyAreSent() throws Exception {
    for (int i = 0; i < DISGUISES.size(); i++) {
      disguise = DISGUISES.get(i);
      HttpResponse<String> whole = chat(blocking, false);
      assertThat(whole.statusCode()).as("disguise %d", i).isEqualTo(403);
      HttpResponse<String> streamed = chat(blocking, true);
      String[] events = streamed.body().split("\n\n");
      assertThat(events[events.length - 1]).as("disguise %d", i).contains("output_blocked");
      String sent = text(streamed.body());
      assertThat(new CanaryDetector(new Canary(canary())).find(sent)).as("disguise %d: %s", i, sent).isEmpty();
    }
  }

  /** Replaces the simulator's reply by one that contains the disguised canary, streamed in 3-character pieces. */
  static final class Disguiser implements AnswerShaper {
    static String reply(JsonNode request) {
      Matcher m = CANARY.matcher(request.toString());
      return "Sure, it is " + (m.find() ? disguise.apply(m.group(1)) : "unknown") + ". Anything else?";
    }

    @Override
    public ObjectNode whole(String path, JsonNode request, ObjectNode answer) {
      ((ObjectNode) answer.path("choices").path(0).path("message")).put("content", reply(request));
      return answer;
    }

    @Override
    public List<ObjectNode> stream(String path, JsonNode request, List<ObjectNode> events) {
      String reply = reply(request);
      List<ObjectNode> out = new ArrayList<>();
      out.add(events.getFirst());
      for (int i = 0; i < reply.length(); i += 3) {
        ObjectNode chunk = events.get(1).deepCopy();
        ((ObjectNode) chunk.path("choices").path(0).path("delta")).put("content",
            reply.substring(i, Math.min(reply.length(), i + 3)));
        out.add(chunk);
      }
      for (ObjectNode e : events) {
        if (!e.path("choices").path(0).path("finish_reason").isNull()
            || e.path("choices").isEmpty()) {
          out.add(e);
        }
      }
      return out;
    }
  }
}

package dev.portcullis.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Options and calls shared by the commands that manage a running gateway through its admin API. Failures become
 * {@link Failure}s carrying a message for people, from the API's problem details.
 */
final class AdminClient {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--admin-url", defaultValue = "${env:PORTCULLIS_ADMIN_URL:-http://127.0.0.1:9090}",
      description = "Admin API base URL (default: $PORTCULLIS_ADMIN_URL or ${DEFAULT-VALUE}).")
  String url;

  @Option(names = "--admin-token", defaultValue = "${env:PORTCULLIS_ADMIN_TOKEN}",
      description = "Admin user token (default: $PORTCULLIS_ADMIN_TOKEN). Not needed on loopback when the gateway "
          + "has no admin users.")
  String token;

  /** A call that did not work; the message is for people. */
  static final class Failure extends Exception {
    Failure(String message) {
      super(message);
    }
  }

  JsonNode get(String path) throws Failure {
    return send("GET", path, null);
  }

  JsonNode post(String path, JsonNode body) throws Failure {
    return send("POST", path, body);
  }

  private JsonNode send(String method, String path, JsonNode body) throws Failure {
    URI uri;
    try {
      uri = URI.create(url.replaceAll("/+$", "") + path);
    } catch (IllegalArgumentException e) {
      throw new Failure("--admin-url '" + url + "' is not a URL");
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.toString()));
    if (token != null && !token.isBlank()) {
      request.header("authorization", "Bearer " + token.strip());
    }
    HttpResponse<String> response;
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new Failure("cannot reach the admin API at " + url + " (is the gateway running? see --admin-url)");
    } catch (IOException e) {
      throw new Failure("admin API call failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted");
    }
    JsonNode answer;
    try {
      answer = response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    } catch (IOException e) {
      throw new Failure("the admin API answered " + response.statusCode() + " with a body that is not JSON");
    }
    if (response.statusCode() >= 400) {
      StringBuilder message = new StringBuilder(answer.path("title").asText("HTTP " + response.statusCode()));
      if (answer.hasNonNull("detail")) {
        message.append(": ").append(answer.get("detail").asText());
      }
      answer.path("errors").forEach(e -> message.append("\n  ").append(e.asText()));
      if (response.statusCode() == 401) {
        message.append(" (set --admin-token or PORTCULLIS_ADMIN_TOKEN)");
      }
      throw new Failure(message.toString());
    }
    return answer;
  }

  static com.fasterxml.jackson.databind.node.ObjectNode object() {
    return JSON.createObjectNode();
  }

  static String pretty(JsonNode node) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (IOException e) {
      return node.toString();
    }
  }
}

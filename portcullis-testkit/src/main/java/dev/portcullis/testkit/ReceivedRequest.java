package dev.portcullis.testkit;

import java.util.List;
import java.util.Map;

/** What the simulator received: method, path, headers (lower-case names) and body, for tests to inspect. */
public record ReceivedRequest(String method, String path, Map<String, List<String>> headers, String body) {

  public ReceivedRequest {
    headers = Map.copyOf(headers);
  }

  /** The first value of a header, or null. */
  public String header(String name) {
    List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
    return values == null || values.isEmpty() ? null : values.getFirst();
  }
}

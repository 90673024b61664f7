package dev.portcullis.forward;

import io.vertx.core.MultiMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which headers cross the gateway. Hop-by-hop headers (RFC 9110 §7.6.1), including any named by {@code Connection},
 * never cross in either direction. Client credentials never go upstream: the upstream sees the provider key only.
 */
public final class ProxyHeaders {

  /** RFC 9110 §7.6.1 and the headers that HTTP/2 forbids for the same reason. */
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
      "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
      "http2-settings");

  /** Client headers the upstream must not see: credentials, cookies, and what the client says about routing. */
  private static final Set<String> CLIENT_ONLY = Set.of("authorization", "api-key", "x-api-key", "cookie", "host",
      "content-length", "forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto",
      "openai-organization", "openai-project", "x-portcullis-signature", "x-portcullis-timestamp",
      "x-portcullis-nonce", "x-portcullis-key-id", "accept-encoding");

  /**
   * Upstream headers the client must not see. The provider's rate-limit headers describe the platform's provider
   * account, shared by every caller: callers see their own limits, set by the limit stage (ADR 0047).
   */
  private static final Set<String> UPSTREAM_ONLY = Set.of("content-length", "set-cookie", "server",
      "strict-transport-security", "x-content-type-options", "ratelimit", "ratelimit-policy");

  private ProxyHeaders() {}

  /** Copies client headers that may go upstream. */
  public static void clientToUpstream(MultiMap from, MultiMap to) {
    Set<String> connectionListed = connectionTokens(from);
    for (Map.Entry<String, String> e : from) {
      String name = e.getKey().toLowerCase(Locale.ROOT);
      if (!HOP_BY_HOP.contains(name) && !CLIENT_ONLY.contains(name) && !connectionListed.contains(name)
          && !name.startsWith(":")) {
        to.add(name, e.getValue());
      }
    }
  }

  /** Copies upstream response headers that may go to the client. */
  public static void upstreamToClient(MultiMap from, MultiMap to) {
    Set<String> connectionListed = connectionTokens(from);
    for (Map.Entry<String, String> e : from) {
      String name = e.getKey().toLowerCase(Locale.ROOT);
      if (!HOP_BY_HOP.contains(name) && !UPSTREAM_ONLY.contains(name) && !connectionListed.contains(name)
          && !name.startsWith(":") && !name.startsWith("x-ratelimit-")) {
        to.add(name, e.getValue());
      }
    }
  }

  private static Set<String> connectionTokens(MultiMap headers) {
    String connection = headers.get("connection");
    if (connection == null || connection.isBlank()) {
      return Set.of();
    }
    java.util.HashSet<String> tokens = new java.util.HashSet<>();
    for (String t : connection.split(",")) {
      tokens.add(t.trim().toLowerCase(Locale.ROOT));
    }
    return tokens;
  }
}

package dev.portcullis.forward;

import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which headers cross the gateway. Client headers go upstream only when the upstream's allow-list names them
 * ({@code forward-headers}, {@link #DEFAULT_FORWARDED} by default): credentials, cookies, framing, what the client
 * claims about its tenant, identity or address, and anything else the upstream was not meant to read stay behind.
 * Hop-by-hop headers (RFC 9110 §7.6.1), including any named by {@code Connection}, never cross in either direction.
 */
public final class ProxyHeaders {

  /** RFC 9110 §7.6.1 and the headers that HTTP/2 forbids for the same reason. */
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
      "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
      "http2-settings");

  /**
   * Client headers no allow-list may name: credentials, cookies, framing (the body is re-serialised, so the
   * client's length and encoding describe bytes the upstream never gets), what the client says about routing and
   * its address, the gateway's own request id, and the signature headers.
   */
  private static final Set<String> NEVER_FORWARDED = Set.of("authorization", "api-key", "x-api-key", "cookie",
      "host", "content-length", "content-encoding", "content-type", "forwarded", "x-forwarded-for",
      "x-forwarded-host", "x-forwarded-proto", "x-real-ip", "openai-organization", "openai-project",
      "x-request-id", "x-portcullis-signature", "x-portcullis-timestamp", "x-portcullis-nonce",
      "x-portcullis-key-id", "accept-encoding", "expect");

  /** What an upstream receives of the client's headers unless its configuration says otherwise. */
  public static final List<String> DEFAULT_FORWARDED = List.of("accept", "openai-beta", "anthropic-version",
      "anthropic-beta", "traceparent", "tracestate");

  /**
   * Upstream headers the client must not see. The provider's rate-limit headers describe the platform's provider
   * account, shared by every caller: callers see their own limits, set by the limit stage (ADR 0047).
   */
  private static final Set<String> UPSTREAM_ONLY = Set.of("content-length", "set-cookie", "server",
      "strict-transport-security", "x-content-type-options", "ratelimit", "ratelimit-policy");

  private ProxyHeaders() {}

  /** Why a header may not be on an allow-list, or null when it may (names are lower case). */
  public static String refusedForwarding(String name) {
    if (HOP_BY_HOP.contains(name) || name.startsWith(":")) {
      return "a hop-by-hop header";
    }
    if (NEVER_FORWARDED.contains(name)) {
      return "a credential, framing or routing header the gateway sets or drops itself";
    }
    return null;
  }

  /** Copies the allowed client headers (lower-case names) that the client sent, except those its Connection names. */
  public static void clientToUpstream(MultiMap from, List<String> allowed, MultiMap to) {
    Set<String> connectionListed = connectionTokens(from);
    for (String name : allowed) {
      if (from.contains(name) && !connectionListed.contains(name)) {
        to.add(name, from.getAll(name));
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

package dev.portcullis.config;

/** The OpenAI-compatible routes the gateway serves. {@link #id()} is the name used in config, logs and metrics. */
public enum Route {
  CHAT_COMPLETIONS("chat-completions", "POST", "/v1/chat/completions", true),
  COMPLETIONS("completions", "POST", "/v1/completions", true),
  EMBEDDINGS("embeddings", "POST", "/v1/embeddings", true),
  RESPONSES("responses", "POST", "/v1/responses", true),
  MODELS("models", "GET", "/v1/models", false);

  private final String id;
  private final String method;
  private final String path;
  private final boolean forwarded;

  Route(String id, String method, String path, boolean forwarded) {
    this.id = id;
    this.method = method;
    this.path = path;
    this.forwarded = forwarded;
  }

  public String id() {
    return id;
  }

  public String method() {
    return method;
  }

  public String path() {
    return path;
  }

  /** The path below the {@code /v1} of an upstream's base URL. */
  public String upstreamPath() {
    return path.substring("/v1".length());
  }

  /** True when requests are forwarded to an upstream chosen by model; false when the gateway answers itself. */
  public boolean forwarded() {
    return forwarded;
  }

  /** The route at this path, or null. */
  public static Route forPath(String path) {
    for (Route route : values()) {
      if (route.path.equals(path)) {
        return route;
      }
    }
    return null;
  }

  public static Route forId(String id) {
    for (Route route : values()) {
      if (route.id.equals(id)) {
        return route;
      }
    }
    return null;
  }
}

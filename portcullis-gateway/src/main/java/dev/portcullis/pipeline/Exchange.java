package dev.portcullis.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.config.GatewayConfig;
import dev.portcullis.config.GatewayConfig.UpstreamConfig;
import dev.portcullis.config.Route;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.security.cert.Certificate;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One request on its way through the gateway: what the client sent, what the stages learned, and the configuration
 * snapshot it runs under. Confined to one event-loop thread; not thread-safe.
 */
public final class Exchange {

  /** A typed attribute slot, for stages to hand results to later stages (the principal, a token reservation…). */
  public static final class Key<T> {
    private final String name;

    public Key(String name) {
      this.name = name;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** Stages that learn which models the caller may use put a predicate here; {@code GET /v1/models} honours it. */
  public static final Key<java.util.function.Predicate<String>> ALLOWED_MODELS = new Key<>("allowed-models");

  private final String requestId;
  private final String method;
  private final String path;
  private final String query;
  private final Route route;
  private final GatewayConfig config;
  private final MultiMap requestHeaders;
  private final String clientAddress;
  private final List<Certificate> peerCertificates;
  private final boolean secure;
  private final long startNanos;
  private Buffer rawBody;
  private ObjectNode body;
  private String errorDetail;
  private String model;
  private boolean stream;
  private UpstreamConfig upstream;
  private String principalId;
  private MultiMap responseHeaders;
  private Map<Key<?>, Object> attributes;
  private List<java.util.function.Consumer<Completion>> completionListeners;
  /** How the exchange ended, once it has; listeners registered after that run at once with it. */
  private Completion completion;
  private List<java.util.function.IntConsumer> upstreamListeners;

  public Exchange(String requestId, String method, String path, String query, Route route, GatewayConfig config,
      MultiMap requestHeaders, String clientAddress, List<Certificate> peerCertificates, boolean secure,
      long startNanos) {
    this.requestId = requestId;
    this.method = method;
    this.path = path;
    this.query = query;
    this.route = route;
    this.config = config;
    this.requestHeaders = requestHeaders;
    this.clientAddress = clientAddress;
    this.peerCertificates = peerCertificates == null ? List.of() : peerCertificates;
    this.secure = secure;
    this.startNanos = startNanos;
  }

  public String requestId() {
    return requestId;
  }

  public Route route() {
    return route;
  }

  public String method() {
    return method;
  }

  /** The path as received, not decoded. */
  public String path() {
    return path;
  }

  /** The query as received, without '?', or null. */
  public String query() {
    return query;
  }

  /** The request body exactly as received (what identify stages hash), or null for routes without one. */
  public Buffer rawBody() {
    return rawBody;
  }

  public void rawBody(Buffer rawBody) {
    this.rawBody = rawBody;
  }

  /** A short code saying why a stage refused (for the access log), e.g. {@code expired}; never a secret. */
  public String errorDetail() {
    return errorDetail;
  }

  public void errorDetail(String code) {
    this.errorDetail = code;
  }

  /** The snapshot this request runs under, from start to end. */
  public GatewayConfig config() {
    return config;
  }

  /** The client's headers, as received. Stages read them; the forwarder decides what goes upstream. */
  public MultiMap requestHeaders() {
    return requestHeaders;
  }

  /** The client's IP address (the peer, or the hop a trusted proxy names); null when unknown. */
  public String clientAddress() {
    return clientAddress;
  }

  /** The client certificate chain verified by TLS, leaf first; empty without mutual TLS. */
  public List<Certificate> peerCertificates() {
    return peerCertificates;
  }

  /** True when the client connection is TLS. */
  public boolean secure() {
    return secure;
  }

  public long startNanos() {
    return startNanos;
  }

  /** The parsed JSON request body, or null for routes without one. */
  public ObjectNode body() {
    return body;
  }

  /** Stages may change the body in place: what goes upstream is always this body re-serialised (ADR 0010). */
  public void body(ObjectNode body) {
    this.body = body;
  }

  public String model() {
    return model;
  }

  public void model(String model) {
    this.model = model;
  }

  /** True when the client asked for a streamed (SSE) response. */
  public boolean stream() {
    return stream;
  }

  public void stream(boolean stream) {
    this.stream = stream;
  }

  /** The upstream chosen for the model, or null before routing. */
  public UpstreamConfig upstream() {
    return upstream;
  }

  public void upstream(UpstreamConfig upstream) {
    this.upstream = upstream;
  }

  /** The identified caller's id for logs, or null while unidentified. */
  public String principalId() {
    return principalId;
  }

  public void principalId(String principalId) {
    this.principalId = principalId;
  }

  /** Headers to add to the response, whatever its outcome (rate-limit headers, for example). */
  public MultiMap responseHeaders() {
    if (responseHeaders == null) {
      responseHeaders = MultiMap.caseInsensitiveMultiMap();
    }
    return responseHeaders;
  }

  public boolean hasResponseHeaders() {
    return responseHeaders != null && !responseHeaders.isEmpty();
  }

  /**
   * Registers work to do when the exchange ends, whatever the outcome (settle a reservation, release a permit).
   * Listeners run on the event loop, in registration order, exactly once; one that throws does not stop the others.
   * A listener registered after the exchange ended (the client went away while a stage was waiting on a store) runs
   * at once with that ending, so every permit a stage takes still ends in exactly one outcome.
   */
  public void onComplete(java.util.function.Consumer<Completion> listener) {
    if (completion != null) {
      listener.accept(completion);
      return;
    }
    if (completionListeners == null) {
      completionListeners = new java.util.ArrayList<>(2);
    }
    completionListeners.add(listener);
  }

  /**
   * Registers work to do when the upstream answers: with its status as soon as the response headers arrive, or
   * with -1 when it could not be reached or timed out. Called at most once; never when the request was not
   * forwarded.
   */
  public void onUpstreamAnswer(java.util.function.IntConsumer listener) {
    if (upstreamListeners == null) {
      upstreamListeners = new java.util.ArrayList<>(1);
    }
    upstreamListeners.add(listener);
  }

  /** Called by the gateway once per exchange that was forwarded; returns the listeners that threw. */
  public int upstreamAnswered(int status) {
    if (upstreamListeners == null) {
      return 0;
    }
    List<java.util.function.IntConsumer> listeners = upstreamListeners;
    upstreamListeners = null;
    int failed = 0;
    for (var listener : listeners) {
      try {
        listener.accept(status);
      } catch (RuntimeException e) {
        failed++;
      }
    }
    return failed;
  }

  /** True once the exchange has ended (answered, or the client went away): later stages have no one to serve. */
  public boolean completed() {
    return completion != null;
  }

  /** Called by the gateway once; returns the listeners that threw, for counting. */
  public int complete(Completion completion) {
    if (this.completion != null) {
      return 0;
    }
    this.completion = java.util.Objects.requireNonNull(completion, "completion");
    if (completionListeners == null) {
      return 0;
    }
    List<java.util.function.Consumer<Completion>> listeners = completionListeners;
    completionListeners = null;
    int failed = 0;
    for (var listener : listeners) {
      try {
        listener.accept(completion);
      } catch (RuntimeException e) {
        failed++;
      }
    }
    return failed;
  }

  public <T> void put(Key<T> key, T value) {
    if (attributes == null) {
      attributes = new IdentityHashMap<>(4);
    }
    attributes.put(key, value);
  }

  @SuppressWarnings("unchecked")
  public <T> T get(Key<T> key) {
    return attributes == null ? null : (T) attributes.get(key);
  }
}

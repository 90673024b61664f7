package dev.portcullis.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.config.GatewayConfig;
import dev.portcullis.config.GatewayConfig.UpstreamConfig;
import dev.portcullis.config.LiveConfig;
import dev.portcullis.config.Route;
import dev.portcullis.forward.ProxyHeaders;
import dev.portcullis.forward.SseFramer;
import dev.portcullis.forward.UpstreamClients;
import dev.portcullis.forward.UsageSniffer;
import dev.portcullis.identity.apikey.CidrBlock;
import dev.portcullis.observe.AccessLog;
import dev.portcullis.observe.GatewayMetrics;
import dev.portcullis.observe.RequestIds;
import dev.portcullis.observe.UpstreamErrorKind;
import dev.portcullis.pipeline.ApiError;
import dev.portcullis.pipeline.Completion;
import dev.portcullis.pipeline.Decision;
import dev.portcullis.pipeline.Exchange;
import dev.portcullis.pipeline.Pipeline;
import dev.portcullis.pipeline.PublicEndpoint;
import dev.portcullis.pipeline.ResponseFilter;
import dev.portcullis.pipeline.SseEvent;
import dev.portcullis.pipeline.StreamErrorEvent;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.security.cert.Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles one public request from first byte to access-log line: route, read the body under its caps, run the
 * pipeline, forward, filter the response (streamed event by event), record. One instance per event loop.
 */
final class ProxyHandler implements Handler<HttpServerRequest> {

  private static final Logger LOG = LoggerFactory.getLogger(ProxyHandler.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final CharSequence JSON_TYPE = HttpHeaders.createOptimized("application/json");
  private static final CharSequence EVENT_STREAM = HttpHeaders.createOptimized("text/event-stream");
  private static final int MAX_EVENT_BYTES = 4 * 1024 * 1024;
  private static final int MAX_FILTERED_BODY_BYTES = 32 * 1024 * 1024;

  private final Vertx vertx;
  private final LiveConfig live;
  private final Pipeline pipeline;
  private final UpstreamClients clients;
  private final GatewayMetrics metrics;
  private final AccessLog accessLog;
  private final boolean wantsClientCertificates;
  private final Map<String, PublicEndpoint> endpoints;

  ProxyHandler(Vertx vertx, LiveConfig live, Pipeline pipeline, UpstreamClients clients, GatewayMetrics metrics,
      AccessLog accessLog, boolean wantsClientCertificates, Map<String, PublicEndpoint> endpoints) {
    this.vertx = vertx;
    this.live = live;
    this.pipeline = pipeline;
    this.clients = clients;
    this.metrics = metrics;
    this.accessLog = accessLog;
    this.wantsClientCertificates = wantsClientCertificates;
    this.endpoints = Map.copyOf(endpoints);
  }

  @Override
  public void handle(HttpServerRequest req) {
    Call call = new Call(req, live.current());
    call.begin();
  }

  /** One request's state; confined to the event loop. */
  private final class Call {
    final HttpServerRequest req;
    final HttpServerResponse res;
    final GatewayConfig config;
    final long start = System.nanoTime();
    final String requestId;
    Route route;
    PublicEndpoint endpoint;
    Exchange exchange;
    Buffer body;
    boolean bodyDone;
    long readTimer = -1;
    HttpClientRequest upstreamRequest;
    HttpClientResponse upstreamResponse;
    long upstreamNanos = -1;
    String errorCode;
    String clientAddress;
    boolean clientAddressDecided;
    boolean streaming;
    String streamOutcome;
    UsageSniffer usage;
    boolean upstreamEnded;
    boolean finished;
    long idleWatch = -1;
    long lastUpstreamActivity;
    /** The last buffer of whole events sent on a stream: a Responses error event numbers itself after it. */
    Buffer lastSent;

    Call(HttpServerRequest req, GatewayConfig config) {
      this.req = req;
      this.res = req.response();
      this.config = config;
      this.requestId = RequestIds.acceptOrCreate(req.getHeader(SecurityHeaders.REQUEST_ID));
    }

    void begin() {
      metrics.requestStarted();
      SecurityHeaders.apply(res.headers(), config.server().hsts(), requestId);
      res.endHandler(v -> finish());
      res.closeHandler(v -> finish());
      req.exceptionHandler(this::clientFailed);
      res.exceptionHandler(this::clientFailed);
      RequestEdge.Refusal refusal = RequestEdge.check(req);
      if (refusal != null) {
        if (refusal.status() == 405) {
          res.putHeader(HttpHeaders.ALLOW, "");
        }
        closeAfter(refusal.status(), refusal.error(), refusal.reason());
        return;
      }
      route = Route.forPath(req.path());
      if (route == null && (endpoint = endpoints.get(req.path())) != null) {
        local();
        return;
      }
      if (route == null) {
        if (!RequestEdge.servedSomewhere(req.method())) {
          res.putHeader(HttpHeaders.ALLOW, "");
          transportReject(405, ApiError.invalidRequest("Method " + req.method() + " is not allowed.", null,
              "method_not_allowed"), "method");
          return;
        }
        transportReject(404, ApiError.invalidRequest("Unknown request URL: " + req.method() + " " + req.path()
            + ".", null, "unknown_url"), "unknown_url");
        return;
      }
      if (!route.method().equals(req.method().name())) {
        res.putHeader(HttpHeaders.ALLOW, route.method());
        transportReject(405, ApiError.invalidRequest("Method " + req.method() + " is not allowed on "
            + route.path() + "; use " + route.method() + ".", null, "method_not_allowed"), "method");
        return;
      }
      exchange = new Exchange(requestId, req.method().name(), req.path(), req.query(), route, config, req.headers(),
          clientAddress(),
          wantsClientCertificates ? peerCertificates(req) : null, req.isSSL(), start);
      if (!route.forwarded()) {
        req.end().onComplete(v -> {
          if (!brokenBody()) {
            decide(pipeline.identify(exchange), () -> decide(pipeline.run(exchange), this::listModels));
          }
        });
        return;
      }
      readBody();
    }

    /**
     * The client reset its stream or dropped its connection: expected client behaviour, counted and logged at
     * debug (without a handler Vert.x reports it as an unhandled error).
     */
    void clientFailed(Throwable cause) {
      if (!finished) {
        metrics.clientDisconnected(req.version() == HttpVersion.HTTP_2);
        LOG.debug("client went away, request {}: {}", requestId, cause.toString());
      }
    }

    /** The client's address, decided once per request (see {@link ClientAddresses}); null when unknown. */
    String clientAddress() {
      if (!clientAddressDecided) {
        clientAddressDecided = true;
        List<CidrBlock> trusted = config.server().trustedProxies();
        clientAddress = trusted.isEmpty() || !req.headers().contains("x-forwarded-for")
            ? (req.remoteAddress() == null ? null : req.remoteAddress().hostAddress())
            : ClientAddresses.resolve(trusted, req.remoteAddress(), req.headers().getAll("x-forwarded-for"));
      }
      return clientAddress;
    }

    /** The declared body length; -1 when absent; Long.MAX_VALUE when unparseable (never accepted). */
    long declaredLength() {
      String declared = req.getHeader(HttpHeaders.CONTENT_LENGTH);
      if (declared == null) {
        return -1;
      }
      try {
        long length = Long.parseLong(declared.trim());
        return length < 0 ? Long.MAX_VALUE : length;
      } catch (NumberFormatException e) {
        return Long.MAX_VALUE;
      }
    }

    void readBody() {
      long cap = config.route(route).maxBodyBytes();
      long length = declaredLength();
      if (length == Long.MAX_VALUE) {
        closeAfter(400, ApiError.invalidRequest("Invalid Content-Length header.", null, "invalid_request"),
            "bad_length");
        return;
      }
      if (length > cap) {
        tooLarge(cap);
        return;
      }
      int initial = length < 0 ? 1024 : (int) Math.max(16, length);
      body = Buffer.buffer(initial);
      readTimer = vertx.setTimer(config.server().readTimeout().toMillis(), t -> {
        readTimer = -1;
        if (!bodyDone) {
          bodyDone = true;
          closeAfter(408, ApiError.invalidRequest("The request body did not arrive within "
              + config.server().readTimeout().toSeconds() + " s.", null, "request_timeout"), "read_timeout");
        }
      });
      req.handler(chunk -> {
        if (bodyDone) {
          return;
        }
        if (body.length() + chunk.length() > cap) {
          bodyDone = true;
          cancelReadTimer();
          tooLarge(cap);
          return;
        }
        body.appendBuffer(chunk);
      });
      req.exceptionHandler(e -> {
        clientFailed(e);
        if (!bodyDone) {
          bodyDone = true;
          cancelReadTimer();
          errorCode = "client_error";
        }
      });
      req.endHandler(v -> {
        if (bodyDone) {
          return;
        }
        bodyDone = true;
        cancelReadTimer();
        if (!brokenBody()) {
          bodyRead();
        }
      });
    }

    void cancelReadTimer() {
      if (readTimer >= 0) {
        vertx.cancelTimer(readTimer);
        readTimer = -1;
      }
    }

    void tooLarge(long cap) {
      closeAfter(413, ApiError.invalidRequest("The request body exceeds this route's limit of " + cap
          + " bytes.", null, "request_too_large"), "body_too_large");
    }

    /** Identify first (headers and raw body only), so that unidentified callers learn nothing of the body's fate. */
    void bodyRead() {
      exchange.rawBody(body);
      decide(pipeline.identify(exchange), this::parseBody);
    }

    void parseBody() {
      switch (RequestBody.parse(route, body)) {
        case RequestBody.Refused r -> reject(400, r.error(), Map.of());
        case RequestBody.Accepted a -> {
          exchange.body(a.body());
          exchange.model(a.model());
          exchange.stream(a.stream());
          UpstreamConfig upstream = config.upstreamFor(a.model());
          if (upstream == null) {
            reject(404, ApiError.invalidRequest("The model '" + a.model() + "' does not exist or you do not "
                + "have access to it.", "model", "model_not_found"), Map.of());
            return;
          }
          exchange.upstream(upstream);
          decide(pipeline.run(exchange), this::forward);
        }
      }
    }

    /** Continues when the stages decided to, else answers their rejection (or a 500 when they failed). */
    void decide(Future<Decision> decision, Runnable next) {
      decision.onComplete(ar -> {
        Decision d = ar.succeeded() ? ar.result()
            : new Decision.Reject(500, ApiError.server("Internal error (request id " + requestId + ").",
                "internal_error"));
        switch (d) {
          case Decision.Reject r -> reject(r.status(), r.error(), r.headers());
          case Decision.Continue c -> next.run();
        }
      });
    }

    // ---- answers the gateway gives itself ----

    void local() {
      if (!endpoint.method().equals(req.method().name())) {
        res.putHeader(HttpHeaders.ALLOW, endpoint.method());
        transportReject(405, ApiError.invalidRequest("Method " + req.method() + " is not allowed on " + req.path()
            + "; use " + endpoint.method() + ".", null, "method_not_allowed"), "method");
        return;
      }
      if (declaredLength() > PublicEndpoint.MAX_BODY_BYTES) {
        closeAfter(413, ApiError.invalidRequest("The request body is too large.", null, "request_too_large"),
            "body_too_large");
        return;
      }
      Buffer collected = Buffer.buffer();
      req.handler(chunk -> {
        if (bodyDone) {
          return;
        }
        if (collected.length() + chunk.length() > PublicEndpoint.MAX_BODY_BYTES) {
          bodyDone = true;
          closeAfter(413, ApiError.invalidRequest("The request body is too large.", null, "request_too_large"),
              "body_too_large");
          return;
        }
        collected.appendBuffer(chunk);
      });
      req.endHandler(v -> {
        if (bodyDone || brokenBody()) {
          return;
        }
        bodyDone = true;
        Future<PublicEndpoint.Response> answer;
        try {
          answer = endpoint.handle(new PublicEndpoint.Request(req.headers(), collected, clientAddress(),
              req.isSSL(), wantsClientCertificates ? peerCertificates(req) : List.of()));
        } catch (RuntimeException e) {
          answer = Future.failedFuture(e);
        }
        answer.onComplete(ar -> {
          if (res.ended() || res.closed()) {
            return;
          }
          if (ar.failed()) {
            metrics.stageFailed(endpoint.name());
            LOG.error("endpoint {} failed, request {}", endpoint.name(), requestId, ar.cause());
            reject(500, ApiError.server("Internal error (request id " + requestId + ").", "internal_error"),
                Map.of());
            return;
          }
          PublicEndpoint.Response r = ar.result();
          r.headers().forEach(res::putHeader);
          res.setStatusCode(r.status()).putHeader(HttpHeaders.CONTENT_TYPE, r.contentType()).end(r.body());
        });
      });
    }

    void listModels() {
      Predicate<String> allowed = exchange.get(Exchange.ALLOWED_MODELS);
      ObjectNode list = JSON.createObjectNode().put("object", "list");
      ArrayNode data = list.putArray("data");
      for (Map.Entry<String, UpstreamConfig> e : config.upstreamByModel().entrySet()) {
        if (allowed == null || allowed.test(e.getKey())) {
          data.addObject().put("id", e.getKey()).put("object", "model").put("created", 0)
              .put("owned_by", e.getValue().name());
        }
      }
      addExchangeHeaders();
      res.setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, JSON_TYPE).end(list.toString());
    }

    // ---- forwarding ----

    void forward() {
      if (res.closed()) {
        return;
      }
      UpstreamConfig upstream = exchange.upstream();
      // the document the stages inspected, never the client's bytes (ADR 0010)
      Buffer payload;
      try {
        payload = Buffer.buffer(JSON.writeValueAsBytes(exchange.body()));
      } catch (IOException e) {
        reject(500, ApiError.server("Internal error (request id " + requestId + ").", "internal_error"),
            Map.of());
        return;
      }
      MultiMap headers = MultiMap.caseInsensitiveMultiMap();
      ProxyHeaders.clientToUpstream(req.headers(), upstream.forwardHeaders(), headers);
      headers.set(SecurityHeaders.REQUEST_ID, requestId);
      headers.set(HttpHeaders.CONTENT_TYPE, JSON_TYPE);
      if (upstream.apiKey() != null) {
        if (upstream.authHeader().equals("authorization")) {
          headers.set(HttpHeaders.AUTHORIZATION, "Bearer " + upstream.apiKey());
        } else {
          headers.set(upstream.authHeader(), upstream.apiKey());
        }
      }
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
          .setAbsoluteURI(upstream.baseUrl() + route.upstreamPath()).setHeaders(headers)
          .setIdleTimeout(upstream.firstByteTimeout().toMillis());
      long sent = System.nanoTime();
      Buffer toSend = payload;
      clients.client(upstream).request(options).onComplete(ar -> {
        if (ar.failed()) {
          upstreamFailed(classify(ar.cause(), false));
          return;
        }
        HttpClientRequest ureq = ar.result();
        upstreamRequest = ureq;
        // failures arrive through send()'s future; without a handler, the reset we make when the client has gone
        // would be logged by Vert.x as an error
        ureq.exceptionHandler(e -> { });
        if (res.closed()) {
          ureq.reset();
          return;
        }
        ureq.send(toSend).onComplete(rar -> {
          if (rar.failed()) {
            upstreamFailed(classify(rar.cause(), false));
          } else {
            upstreamResponded(rar.result(), sent);
          }
        });
      });
    }

    UpstreamErrorKind classify(Throwable cause, boolean afterHeaders) {
      if (cause instanceof io.netty.channel.ConnectTimeoutException) {
        return UpstreamErrorKind.CONNECT_TIMEOUT;
      }
      if (cause instanceof ConnectException) {
        return UpstreamErrorKind.CONNECT;
      }
      if (cause instanceof TimeoutException) {
        if (afterHeaders) {
          return UpstreamErrorKind.IDLE_TIMEOUT;
        }
        return upstreamRequest == null ? UpstreamErrorKind.CONNECT_TIMEOUT : UpstreamErrorKind.FIRST_BYTE_TIMEOUT;
      }
      if (cause instanceof java.net.UnknownHostException) {
        return UpstreamErrorKind.CONNECT;
      }
      return UpstreamErrorKind.PROTOCOL;
    }

    void upstreamFailed(UpstreamErrorKind kind) {
      UpstreamConfig upstream = exchange.upstream();
      metrics.upstreamError(upstream.name(), kind);
      upstreamAnswered(-1);
      if (res.closed() || res.ended()) {
        return;
      }
      String message = switch (kind) {
        case CONNECT -> "The upstream for model '" + exchange.model() + "' is unavailable.";
        case CONNECT_TIMEOUT -> "Could not connect to the upstream for model '" + exchange.model() + "' within "
            + upstream.connectTimeout().toMillis() + " ms.";
        case FIRST_BYTE_TIMEOUT -> "The upstream for model '" + exchange.model() + "' did not answer within "
            + upstream.firstByteTimeout().toMillis() + " ms.";
        case IDLE_TIMEOUT -> "The upstream for model '" + exchange.model() + "' stopped sending for "
            + upstream.idleTimeout().toMillis() + " ms.";
        case PROTOCOL -> "The upstream for model '" + exchange.model() + "' failed.";
      };
      reject(kind.status(), ApiError.server(message, kind.code()), Map.of());
    }

    /**
     * Fails the response when the upstream sends nothing for {@code idleMillis} while its body is under way. One
     * periodic check per response, cancelled when the exchange finishes, so nothing outlives the request (a
     * per-request Vert.x idle timeout re-armed after the headers would keep each finished request reachable until
     * it fired).
     */
    void watchIdle(HttpClientResponse ures, long idleMillis) {
      lastUpstreamActivity = System.nanoTime();
      long idleNanos = idleMillis * 1_000_000;
      idleWatch = vertx.setPeriodic(Math.max(10, idleMillis / 4), id -> {
        if (upstreamEnded || finished) {
          cancelIdleWatch();
        } else if (System.nanoTime() - lastUpstreamActivity > idleNanos) {
          cancelIdleWatch();
          upstreamIdle(ures);
        }
      });
    }

    void cancelIdleWatch() {
      if (idleWatch >= 0) {
        vertx.cancelTimer(idleWatch);
        idleWatch = -1;
      }
    }

    /** The upstream went silent mid-body: a stream ends with an error event, a whole response is cut. */
    void upstreamIdle(HttpClientResponse ures) {
      metrics.upstreamError(exchange.upstream().name(), UpstreamErrorKind.IDLE_TIMEOUT);
      if (streaming) {
        endStream(ApiError.server("The upstream stopped sending for "
            + exchange.upstream().idleTimeout().toMillis() + " ms.", UpstreamErrorKind.IDLE_TIMEOUT.code()),
            UpstreamErrorKind.IDLE_TIMEOUT.label());
      } else {
        errorCode = UpstreamErrorKind.IDLE_TIMEOUT.code();
        if (upstreamRequest != null) {
          upstreamRequest.reset();
        }
        if (res.headWritten()) {
          res.reset();
        } else {
          reject(504, ApiError.server("The upstream stopped sending for "
              + exchange.upstream().idleTimeout().toMillis() + " ms.", UpstreamErrorKind.IDLE_TIMEOUT.code()),
              Map.of());
        }
      }
    }

    void upstreamAnswered(int status) {
      for (int i = exchange.upstreamAnswered(status); i > 0; i--) {
        metrics.stageFailed("upstream-listener");
      }
    }

    void upstreamResponded(HttpClientResponse ures, long sent) {
      upstreamResponse = ures;
      upstreamNanos = System.nanoTime() - sent;
      upstreamAnswered(ures.statusCode());
      UpstreamConfig upstream = exchange.upstream();
      metrics.upstreamResponded(upstream.name(), upstreamNanos);
      if (res.closed()) {
        ures.exceptionHandler(e -> { });
        upstreamRequest.reset();
        return;
      }
      watchIdle(ures, upstream.idleTimeout().toMillis());
      int status = ures.statusCode();
      res.setStatusCode(status);
      ProxyHeaders.upstreamToClient(ures.headers(), res.headers());
      addExchangeHeaders();
      String type = ures.getHeader(HttpHeaders.CONTENT_TYPE);
      boolean ok = status >= 200 && status < 300;
      ResponseFilter filter;
      try {
        filter = ok ? pipeline.responseFilter(exchange) : ResponseFilter.PASS_THROUGH;
      } catch (RuntimeException e) {
        metrics.stageFailed("response-filter");
        LOG.error("response filter failed, request {}", requestId, e);
        upstreamRequest.reset();
        res.headers().remove(HttpHeaders.CONTENT_TYPE);
        reject(500, ApiError.server("Internal error (request id " + requestId + ").", "internal_error"), Map.of());
        return;
      }
      if (ok && type != null && type.regionMatches(true, 0, "text/event-stream", 0, 17)) {
        stream(ures, filter);
      } else {
        boolean json = type != null && type.regionMatches(true, 0, "application/json", 0, 16);
        if (ok && json) {
          usage = new UsageSniffer();
        }
        // an active filter sees every 2xx body, JSON or not, and decides (guards refuse what they cannot read)
        if (filter == ResponseFilter.PASS_THROUGH) {
          pipeWhole(ures);
        } else {
          filterWhole(ures, filter);
        }
      }
    }

    void pipeWhole(HttpClientResponse ures) {
      String length = ures.getHeader(HttpHeaders.CONTENT_LENGTH);
      if (length != null) {
        res.putHeader(HttpHeaders.CONTENT_LENGTH, length);
      } else if (req.version() != HttpVersion.HTTP_2) {
        res.setChunked(true);
      }
      ures.handler(chunk -> {
        lastUpstreamActivity = System.nanoTime();
        if (usage != null) {
          usage.feedBody(chunk);
        }
        write(chunk, ures);
      });
      ures.exceptionHandler(e -> {
        UpstreamErrorKind kind = classify(e, true);
        metrics.upstreamError(exchange.upstream().name(), kind);
        errorCode = kind.code();
        res.reset();
      });
      ures.endHandler(v -> {
        upstreamEnded = true;
        if (!res.ended() && !res.closed()) {
          res.end();
        }
      });
    }

    void filterWhole(HttpClientResponse ures, ResponseFilter filter) {
      Buffer whole = Buffer.buffer();
      ures.handler(chunk -> {
        lastUpstreamActivity = System.nanoTime();
        if (whole.length() + chunk.length() > MAX_FILTERED_BODY_BYTES) {
          ures.request().reset();
          errorCode = "upstream_body_too_large";
          reject(502, ApiError.server("The upstream's response is too large to inspect.", "upstream_error"),
              Map.of());
          return;
        }
        whole.appendBuffer(chunk);
      });
      ures.exceptionHandler(e -> upstreamFailed(classify(e, true)));
      ures.endHandler(v -> {
        upstreamEnded = true;
        if (res.ended() || res.closed()) {
          return;
        }
        if (usage != null) {
          usage.feedBody(whole);
        }
        ResponseFilter.Result result;
        try {
          result = filter.onBody(whole);
        } catch (RuntimeException e) {
          metrics.stageFailed("response-filter");
          LOG.error("response filter failed, request {}", requestId, e);
          reject(500, ApiError.server("Internal error (request id " + requestId + ").", "internal_error"),
              Map.of());
          return;
        }
        switch (result) {
          case ResponseFilter.Result.Pass p -> res.putHeader(HttpHeaders.CONTENT_LENGTH,
              Integer.toString(whole.length())).end(whole);
          case ResponseFilter.Result.Emit emit -> {
            Buffer out = Buffer.buffer();
            emit.parts().forEach(out::appendBuffer);
            res.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(out.length())).end(out);
          }
          case ResponseFilter.Result.End end -> reject(end.status(), end.error(), Map.of());
        }
      });
    }

    void stream(HttpClientResponse ures, ResponseFilter filter) {
      streaming = true;
      metrics.streamStarted();
      usage = new UsageSniffer();
      res.headers().remove(HttpHeaders.CONTENT_LENGTH);
      res.putHeader(HttpHeaders.CONTENT_TYPE, EVENT_STREAM);
      if (req.version() != HttpVersion.HTTP_2) {
        res.setChunked(true);
      }
      SseFramer framer = new SseFramer(MAX_EVENT_BYTES);
      boolean passThrough = filter == ResponseFilter.PASS_THROUGH;
      ures.handler(chunk -> {
        lastUpstreamActivity = System.nanoTime();
        if (res.ended() || res.closed()) {
          return;
        }
        Buffer complete;
        try {
          complete = framer.feed(chunk);
        } catch (SseFramer.EventTooLargeException e) {
          endStream(ApiError.server("The upstream sent an oversized event.", "upstream_error"), "upstream_error");
          return;
        }
        if (complete.length() == 0) {
          return;
        }
        if (passThrough) {
          if (UsageSniffer.hasUsageObject(complete)) {
            SseFramer.split(complete, usage::sniffEvent);
          }
          write(complete, ures);
        } else {
          SseFramer.split(complete, raw -> filterEvent(raw, filter, ures));
        }
      });
      ures.exceptionHandler(e -> {
        UpstreamErrorKind kind = classify(e, true);
        metrics.upstreamError(exchange.upstream().name(), kind);
        endStream(ApiError.server(kind == UpstreamErrorKind.IDLE_TIMEOUT
            ? "The upstream stopped sending for " + exchange.upstream().idleTimeout().toMillis() + " ms."
            : "The upstream connection failed mid-stream.", kind.code()), kind.label());
      });
      ures.endHandler(v -> {
        upstreamEnded = true;
        if (res.ended() || res.closed()) {
          return;
        }
        Buffer rest = framer.remainder();
        if (rest != null) {
          if (passThrough) {
            usage.sniffEvent(rest);
            write(rest, ures);
          } else {
            filterEvent(rest, filter, ures);
          }
        }
        if (res.ended()) {
          return;
        }
        ResponseFilter.Result last = passThrough ? ResponseFilter.Result.PASS : safeFinish(filter);
        switch (last) {
          case ResponseFilter.Result.Pass p -> { }
          case ResponseFilter.Result.Emit emit -> emit.parts().forEach(part -> {
            lastSent = part;
            res.write(part);
          });
          case ResponseFilter.Result.End end -> {
            endStream(end.error(), "blocked");
            return;
          }
        }
        streamOutcome = "complete";
        res.end();
      });
    }

    ResponseFilter.Result safeFinish(ResponseFilter filter) {
      try {
        return filter.finish();
      } catch (RuntimeException e) {
        metrics.stageFailed("response-filter");
        LOG.error("response filter failed, request {}", requestId, e);
        return new ResponseFilter.Result.End(500, ApiError.server("Internal error (request id " + requestId + ").",
            "internal_error"));
      }
    }

    void filterEvent(Buffer raw, ResponseFilter filter, HttpClientResponse ures) {
      if (res.ended() || res.closed()) {
        return;
      }
      usage.sniffEvent(raw);
      ResponseFilter.Result result;
      try {
        result = filter.onEvent(new SseEvent(raw));
      } catch (RuntimeException e) {
        metrics.stageFailed("response-filter");
        LOG.error("response filter failed, request {}", requestId, e);
        result = new ResponseFilter.Result.End(500, ApiError.server("Internal error (request id " + requestId
            + ").", "internal_error"));
      }
      switch (result) {
        case ResponseFilter.Result.Pass p -> write(raw, ures);
        case ResponseFilter.Result.Emit emit -> {
          for (Buffer part : emit.parts()) {
            write(part, ures);
          }
        }
        case ResponseFilter.Result.End end -> endStream(end.error(), "blocked");
      }
    }

    /** Ends a stream with a final error event in the route's form ({@link StreamErrorEvent}). */
    void endStream(ApiError error, String outcome) {
      if (!res.ended() && !res.closed()) {
        streamOutcome = outcome;
        errorCode = error.code();
        res.end(StreamErrorEvent.of(route, error, lastSent));
      }
      // after ending: resetting the upstream may call its exception handler, which must find the stream ended
      if (upstreamRequest != null && !upstreamEnded) {
        upstreamRequest.reset();
      }
    }

    /** Writes to the client; pauses the upstream while the client's write queue is full. */
    void write(Buffer chunk, HttpClientResponse ures) {
      lastSent = chunk;
      res.write(chunk);
      if (res.writeQueueFull()) {
        ures.pause();
        res.drainHandler(v -> ures.resume());
      }
    }

    // ---- endings ----

    /** The stages' response headers, each replacing any value of the same name. */
    void addExchangeHeaders() {
      if (exchange != null && exchange.hasResponseHeaders()) {
        MultiMap decided = exchange.responseHeaders();
        for (String name : decided.names()) {
          res.headers().set(name, decided.getAll(name));
        }
      }
    }

    void reject(int status, ApiError error, Map<String, String> headers) {
      if (res.ended() || res.closed()) {
        return;
      }
      if (res.headWritten()) {
        // a stream is under way: the error can only travel as an event
        endStream(error, "error");
        return;
      }
      errorCode = error.code();
      addExchangeHeaders();
      headers.forEach(res::putHeader);
      res.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON_TYPE).end(error.toBuffer());
    }

    void transportReject(int status, ApiError error, String reason) {
      metrics.transportRejected(reason);
      req.end().onComplete(v -> {
        if (!brokenBody()) {
          reject(status, error, Map.of());
        }
      });
    }

    /** True, and answered with a 400 that closes the connection, when the body's chunked framing broke. */
    boolean brokenBody() {
      StrictRequestDecoder.Refusal refusal = StrictRequestDecoder.brokenBody(req);
      if (refusal == null) {
        return false;
      }
      closeAfter(refusal.status(), refusal.error(), refusal.reason());
      return true;
    }

    /**
     * Answers without reading the rest of the body; over HTTP/1.x the connection then closes ({@code Connection:
     * close}), over HTTP/2 only the stream ends.
     */
    void closeAfter(int status, ApiError error, String reason) {
      metrics.transportRejected(reason);
      if (req.version() == HttpVersion.HTTP_2) {
        reject(status, error, Map.of());
        return;
      }
      res.putHeader(HttpHeaders.CONNECTION, "close");
      // Vert.x would keep the connection until the unread body ended: close once the answer is written
      res.endHandler(v -> {
        finish();
        req.connection().close();
      });
      reject(status, error, Map.of());
    }

    void finish() {
      if (finished) {
        return;
      }
      finished = true;
      cancelReadTimer();
      cancelIdleWatch();
      if (!res.ended() || streaming && streamOutcome == null) {
        // the client went away first: stop the upstream's work too
        if (upstreamRequest != null && !upstreamEnded) {
          upstreamRequest.reset();
        }
        if (streaming && streamOutcome == null) {
          streamOutcome = "client_closed";
        }
        if (errorCode == null) {
          errorCode = "client_closed";
        }
      }
      long total = System.nanoTime() - start;
      // nginx's 499: the client went away before any answer was written (never the 200 Vert.x starts with)
      int status = res.headWritten() ? res.getStatusCode() : 499;
      metrics.requestEnded(route, status, total);
      if (streaming) {
        metrics.streamEnded();
        metrics.streamOutcome(streamOutcome == null ? "unknown" : streamOutcome);
      }
      String model = exchange == null ? null : exchange.model();
      long in = usage == null ? -1 : usage.inputTokens();
      long out = usage == null ? -1 : usage.outputTokens();
      metrics.tokens(model, in, out);
      if (exchange != null) {
        String outcome = streamOutcome != null ? streamOutcome
            : errorCode == null ? "complete" : upstreamRequest == null ? "rejected" : errorCode;
        int failed = exchange.complete(new Completion(status, upstreamRequest != null,
            upstreamResponse == null ? 0 : upstreamResponse.statusCode(), in, out, outcome));
        for (int i = 0; i < failed; i++) {
          metrics.stageFailed("completion-listener");
        }
      }
      if (accessLog.enabled()) {
        accessLog.write(new AccessLog.Entry(Instant.now(), requestId, req.method().name(), req.path(),
            route != null ? route.id() : endpoint != null ? endpoint.name() : null,
            exchange == null ? null : exchange.errorDetail(), model,
            exchange == null || exchange.upstream() == null ? null : exchange.upstream().name(),
            exchange == null ? null : exchange.principalId(),
            exchange != null ? exchange.clientAddress() : clientAddress(),
            traceId(req.getHeader("traceparent")), status, errorCode, streaming, streamOutcome,
            upstreamNanos < 0 ? -1 : upstreamNanos / 1e6, total / 1e6, req.bytesRead(), res.bytesWritten(),
            in, out));
      }
    }
  }

  /** The trace id of a W3C {@code traceparent} header, or null when absent or malformed. */
  static String traceId(String traceparent) {
    if (traceparent == null || traceparent.length() < 55 || traceparent.charAt(2) != '-'
        || traceparent.charAt(35) != '-') {
      return null;
    }
    String id = traceparent.substring(3, 35);
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return null;
      }
    }
    return id;
  }

  private static List<Certificate> peerCertificates(HttpServerRequest req) {
    if (!req.isSSL()) {
      return List.of();
    }
    try {
      return req.connection().peerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return List.of();
    }
  }
}

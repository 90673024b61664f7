package dev.portcullis.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.identity.CertificateBinding;
import dev.portcullis.identity.oauth.ClientCredentials;
import dev.portcullis.identity.oauth.SigningKeyRing;
import dev.portcullis.identity.oauth.TokenIssuer;
import dev.portcullis.identity.oauth.TokenOutcome;
import dev.portcullis.identity.oauth.TokenRequest;
import dev.portcullis.pipeline.PublicEndpoint;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The built-in OAuth 2.0 server's HTTP side, on the public listener: the token endpoint (RFC 6749 §4.4, client
 * credentials with {@code client_secret_basic} or {@code client_secret_post}; over mutual TLS the token is bound
 * to the client's certificate, RFC 8705), revocation (RFC 7009), introspection
 * (RFC 7662), the JWKS and the discovery document (RFC 8414). Errors are RFC 6749 §5.2 JSON.
 */
public final class OAuthEndpoints {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, String> NO_CACHE = Map.of("pragma", "no-cache");

  private final TokenIssuer issuer;
  private final SigningKeyRing keys;
  private final Executor blocking;

  public OAuthEndpoints(TokenIssuer issuer, SigningKeyRing keys, Executor blocking) {
    this.issuer = issuer;
    this.keys = keys;
    this.blocking = blocking;
  }

  public List<PublicEndpoint> endpoints() {
    return List.of(
        endpoint("POST", "/oauth2/token", "oauth-token", this::token),
        endpoint("POST", "/oauth2/revoke", "oauth-revoke", this::revoke),
        endpoint("POST", "/oauth2/introspect", "oauth-introspect", this::introspect),
        endpoint("GET", "/.well-known/jwks.json", "jwks",
            r -> Future.succeededFuture(json(200, keys.jwksJson()))),
        endpoint("GET", "/.well-known/oauth-authorization-server", "oauth-metadata",
            r -> Future.succeededFuture(json(200, write(issuer.metadata())))));
  }

  private Future<PublicEndpoint.Response> token(PublicEndpoint.Request request) {
    Map<String, String> form;
    try {
      form = form(request);
    } catch (IllegalArgumentException e) {
      return Future.succeededFuture(error(400, "invalid_request", e.getMessage()));
    }
    Optional<ClientCredentials> basic = ClientCredentials.fromBasicHeader(request.headers().get("authorization"));
    if (basic.isPresent() && (form.containsKey("client_id") && !form.get("client_id").equals(basic.get().clientId())
        || form.containsKey("client_secret") || form.containsKey("client_assertion"))) {
      return Future.succeededFuture(error(400, "invalid_request", "use one client authentication method"));
    }
    String clientId = basic.map(ClientCredentials::clientId).orElse(form.get("client_id"));
    String secret = basic.map(ClientCredentials::clientSecret).orElse(form.get("client_secret"));
    String thumbprint = request.peerCertificates().isEmpty() ? null
        : CertificateBinding.thumbprint((java.security.cert.X509Certificate) request.peerCertificates().getFirst());
    return Future.fromCompletionStage(issuer.issue(new TokenRequest(form.get("grant_type"), clientId, secret,
        form.get("scope"), thumbprint, form.get("client_assertion_type"), form.get("client_assertion"))))
        .map(outcome -> switch (outcome) {
          case TokenOutcome.Issued issued -> {
            ObjectNode body = JSON.createObjectNode().put("access_token", issued.accessToken())
                .put("token_type", issued.tokenType()).put("expires_in", issued.expiresInSeconds());
            if (issued.scope() != null && !issued.scope().isEmpty()) {
              body.put("scope", issued.scope());
            }
            yield new PublicEndpoint.Response(200, "application/json", io.vertx.core.buffer.Buffer.buffer(
                body.toString()), NO_CACHE);
          }
          case TokenOutcome.Refused refused -> {
            PublicEndpoint.Response r = error(refused.error().httpStatus(), refused.error().code(), null);
            if (refused.error().httpStatus() == 401 && basic.isPresent()) {
              yield new PublicEndpoint.Response(401, r.contentType(), r.body(),
                  Map.of("www-authenticate", "Basic realm=\"portcullis\"", "pragma", "no-cache"));
            }
            yield r;
          }
        }).otherwise(e -> error(503, "temporarily_unavailable", null));
  }

  private Future<PublicEndpoint.Response> revoke(PublicEndpoint.Request request) {
    return authenticated(request, (clientId, form) -> {
      String token = form.get("token");
      if (token == null) {
        return error(400, "invalid_request", "token is required");
      }
      return issuer.revoke(token, clientId) ? json(200, "{}") : error(503, "temporarily_unavailable", null);
    });
  }

  private Future<PublicEndpoint.Response> introspect(PublicEndpoint.Request request) {
    return authenticated(request, (clientId, form) -> {
      String token = form.get("token");
      if (token == null) {
        return error(400, "invalid_request", "token is required");
      }
      return json(200, write(issuer.introspect(token, clientId)));
    });
  }

  private interface ClientAction {
    PublicEndpoint.Response apply(String clientId, Map<String, String> form);
  }

  /** Authenticates the calling client (blocking store read, off the event loop), then acts. */
  private Future<PublicEndpoint.Response> authenticated(PublicEndpoint.Request request, ClientAction action) {
    Map<String, String> form;
    try {
      form = form(request);
    } catch (IllegalArgumentException e) {
      return Future.succeededFuture(error(400, "invalid_request", e.getMessage()));
    }
    Optional<ClientCredentials> basic = ClientCredentials.fromBasicHeader(request.headers().get("authorization"));
    if (basic.isPresent() && (form.containsKey("client_secret") || form.containsKey("client_assertion"))) {
      return Future.succeededFuture(error(400, "invalid_request", "use one client authentication method"));
    }
    String clientId = basic.map(ClientCredentials::clientId).orElse(form.get("client_id"));
    String secret = basic.map(ClientCredentials::clientSecret).orElse(form.get("client_secret"));
    Promise<PublicEndpoint.Response> promise = Promise.promise();
    var context = Vertx.currentContext();
    CompletableFuture.supplyAsync(() -> {
      String authenticated = issuer.authenticateClient(clientId, secret, form.get("client_assertion_type"),
          form.get("client_assertion"));
      return authenticated != null ? action.apply(authenticated, form)
          : new PublicEndpoint.Response(401, "application/json",
              io.vertx.core.buffer.Buffer.buffer("{\"error\":\"invalid_client\"}"),
              Map.of("www-authenticate", "Basic realm=\"portcullis\""));
    }, blocking)
        .whenComplete((r, e) -> context.runOnContext(v -> promise.complete(
            e != null ? error(503, "temporarily_unavailable", null) : r)));
    return promise.future();
  }

  /** Parses an {@code application/x-www-form-urlencoded} body; a repeated parameter is an error (RFC 6749 §3.2). */
  static Map<String, String> form(PublicEndpoint.Request request) {
    String type = request.headers().get("content-type");
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      throw new IllegalArgumentException("the body must be application/x-www-form-urlencoded");
    }
    Map<String, String> out = new HashMap<>();
    String body = request.body().toString(StandardCharsets.UTF_8);
    if (body.isEmpty()) {
      return out;
    }
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      if (out.put(name, value) != null) {
        throw new IllegalArgumentException("parameter " + name + " appears more than once");
      }
    }
    return out;
  }

  private static PublicEndpoint.Response error(int status, String code, String description) {
    ObjectNode body = JSON.createObjectNode().put("error", code);
    if (description != null) {
      body.put("error_description", description);
    }
    return new PublicEndpoint.Response(status, "application/json",
        io.vertx.core.buffer.Buffer.buffer(body.toString()), NO_CACHE);
  }

  private static PublicEndpoint.Response json(int status, String json) {
    return new PublicEndpoint.Response(status, "application/json", io.vertx.core.buffer.Buffer.buffer(json),
        NO_CACHE);
  }

  private static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static PublicEndpoint endpoint(String method, String path, String name,
      java.util.function.Function<PublicEndpoint.Request, Future<PublicEndpoint.Response>> handler) {
    return new PublicEndpoint() {
      @Override
      public String method() {
        return method;
      }

      @Override
      public String path() {
        return path;
      }

      @Override
      public String name() {
        return name;
      }

      @Override
      public Future<Response> handle(Request request) {
        return handler.apply(request);
      }
    };
  }
}

package dev.portcullis.auth;

import dev.portcullis.identity.AuthResult;
import dev.portcullis.identity.Challenges;
import dev.portcullis.identity.CredentialRequest;
import dev.portcullis.identity.FailureReason;
import dev.portcullis.identity.Identifier;
import dev.portcullis.identity.Principal;
import dev.portcullis.identity.hmac.CanonicalRequest;
import dev.portcullis.pipeline.ApiError;
import dev.portcullis.pipeline.Decision;
import dev.portcullis.pipeline.Exchange;
import dev.portcullis.pipeline.Stage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The identify stage: every request must carry exactly one valid credential (API key, JWT, or HMAC signature),
 * which becomes the exchange's {@link Principal}. Refusals carry the same body for every reason (nothing helps
 * enumerate keys), a {@code WWW-Authenticate} challenge (RFC 6750), and are counted by reason code.
 */
public final class IdentifyStage implements Stage {

  /** The caller, for every later stage. */
  public static final Exchange.Key<Principal> PRINCIPAL = new Exchange.Key<>("principal");

  private static final ApiError INVALID = new ApiError("Incorrect API key or token provided.",
      "invalid_request_error", null, "invalid_api_key");
  private static final ApiError FORBIDDEN = new ApiError("This credential may not be used for this request.",
      "invalid_request_error", null, "credential_not_allowed");
  private static final ApiError UNAVAILABLE = new ApiError("Credentials cannot be checked right now; retry later.",
      "server_error", null, "auth_unavailable");

  private final Identifier identifier;
  private final String realm;
  private final Map<FailureReason, Counter> refusals = new EnumMap<>(FailureReason.class);

  public IdentifyStage(Identifier identifier, String realm, MeterRegistry registry) {
    this.identifier = identifier;
    this.realm = realm;
    for (FailureReason reason : FailureReason.values()) {
      refusals.put(reason, Counter.builder("portcullis.auth.refusals")
          .description("Requests refused by the identify stage, by reason").tag("reason", reason.code())
          .register(registry));
    }
  }

  @Override
  public String name() {
    return "identify";
  }

  @Override
  public Future<Decision> apply(Exchange exchange) {
    MultiMap headers = exchange.requestHeaders();
    String authorization = headers.get("authorization");
    String bodyHash = Identifier.needsBodyHash(authorization) ? sha256(exchange) : null;
    InetAddress client = exchange.clientAddress() == null ? null : address(exchange.clientAddress());
    X509Certificate certificate = exchange.peerCertificates().isEmpty() ? null
        : (X509Certificate) exchange.peerCertificates().getFirst();
    CompletionStage<AuthResult> result;
    try {
      result = identifier.identify(new CredentialRequest(authorization, headers.get("x-api-key"), exchange.method(),
          exchange.path(), exchange.query(), bodyHash, client, certificate));
    } catch (RuntimeException | LinkageError e) {
      // authenticators never throw for any input: a throw means the gateway is broken, so fail closed with 503
      return Future.succeededFuture(decide(exchange, AuthResult.rejected(FailureReason.UNAVAILABLE)));
    }
    CompletableFuture<AuthResult> done = result.toCompletableFuture();
    if (done.isDone() && !done.isCompletedExceptionally()) {
      return Future.succeededFuture(decide(exchange, done.join()));
    }
    Promise<Decision> promise = Promise.promise();
    var context = Vertx.currentContext();
    result.whenComplete((r, e) -> context.runOnContext(v -> promise.complete(
        e != null ? decide(exchange, AuthResult.rejected(FailureReason.UNAVAILABLE)) : decide(exchange, r))));
    return promise.future();
  }

  private Decision decide(Exchange exchange, AuthResult result) {
    return switch (result) {
      case AuthResult.Authenticated a -> {
        exchange.put(PRINCIPAL, a.principal());
        exchange.principalId(a.principal().tenant() + "/" + a.principal().subject());
        yield Decision.CONTINUE;
      }
      case AuthResult.Rejected r -> {
        refusals.get(r.reason()).increment();
        exchange.errorDetail(r.reason().code());
        int status = r.reason().httpStatus();
        yield switch (status) {
          case 401 -> new Decision.Reject(401, INVALID,
              Map.of("www-authenticate", Challenges.wwwAuthenticate(r.reason(), realm)));
          case 403 -> new Decision.Reject(403, FORBIDDEN);
          default -> new Decision.Reject(503, UNAVAILABLE, Map.of("retry-after", "1"));
        };
      }
    };
  }

  private static String sha256(Exchange exchange) {
    return CanonicalRequest.bodySha256(exchange.rawBody() == null ? new byte[0] : exchange.rawBody().getBytes());
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.ofLiteral(literal);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}

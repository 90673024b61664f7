package dev.portcullis.identity.mtls;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.portcullis.identity.AuthResult;
import dev.portcullis.identity.CertificateBinding;
import dev.portcullis.identity.CredentialType;
import dev.portcullis.identity.FailureReason;
import dev.portcullis.identity.Principal;
import dev.portcullis.identity.store.IdentityStore;
import dev.portcullis.identity.store.StoredPrincipal;
import dev.portcullis.identity.store.Tenant;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.security.auth.x500.X500Principal;

/**
 * Authenticates a verified client certificate: finds its {@link CertificateIdentity} by subject or subject
 * alternative name, then the principal and tenant in the store (cached, so a known certificate costs no store
 * trip). A certificate that maps to nothing, or to a principal that no longer exists or whose tenant is disabled,
 * is refused. The certificate's chain was verified by TLS; this class decides only who it is.
 */
public final class CertificateAuthenticator {

  private static final int DNS = 2;
  private static final int URI = 6;
  private static final int EMAIL = 1;

  private final Map<String, CertificateIdentity> bySubject = new HashMap<>();
  private final Map<String, CertificateIdentity> bySan = new HashMap<>();
  private final IdentityStore store;
  private final Executor executor;
  private final AsyncCache<String, AuthResult> cache;

  public CertificateAuthenticator(List<CertificateIdentity> identities, IdentityStore store, Executor executor,
      Clock clock, Duration cacheTtl) {
    for (CertificateIdentity identity : identities) {
      CertificateIdentity previous = identity.subject() != null ? bySubject.put(identity.subject(), identity)
          : bySan.put(identity.san(), identity);
      if (previous != null) {
        throw new IllegalArgumentException("certificate identity listed twice: "
            + (identity.subject() != null ? identity.subject() : identity.san()));
      }
    }
    this.store = store;
    this.executor = executor;
    this.cache = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(cacheTtl)
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis())).executor(Runnable::run).buildAsync();
  }

  public CompletionStage<AuthResult> authenticate(X509Certificate certificate) {
    Optional<CertificateIdentity> identity = find(certificate);
    if (identity.isEmpty()) {
      return CompletableFuture.completedFuture(AuthResult.rejected(FailureReason.UNKNOWN_CREDENTIAL));
    }
    String thumbprint = CertificateBinding.thumbprint(certificate);
    return cache.get(thumbprint, (key, ignored) -> CompletableFuture.supplyAsync(
        () -> resolve(identity.get(), thumbprint), executor))
        .exceptionally(e -> AuthResult.rejected(FailureReason.UNAVAILABLE));
  }

  private AuthResult resolve(CertificateIdentity identity, String thumbprint) {
    Optional<StoredPrincipal> principal = store.findPrincipal(identity.tenant(), identity.principal());
    Optional<Tenant> tenant = store.findTenant(identity.tenant());
    if (principal.isEmpty() || tenant.isEmpty() || tenant.get().disabled()) {
      return AuthResult.rejected(FailureReason.UNKNOWN_CREDENTIAL);
    }
    String plan = principal.get().plan() != null ? principal.get().plan() : tenant.get().plan();
    Map<String, String> attributes = new HashMap<>(principal.get().attributes());
    attributes.put("tls.thumbprint", thumbprint);
    return AuthResult.authenticated(new Principal(identity.tenant(), identity.principal(), plan, identity.scopes(),
        "cert:" + thumbprint.substring(0, 16), CredentialType.MTLS, attributes));
  }

  private Optional<CertificateIdentity> find(X509Certificate certificate) {
    CertificateIdentity bySubjectName =
        bySubject.get(certificate.getSubjectX500Principal().getName(X500Principal.CANONICAL));
    if (bySubjectName != null) {
      return Optional.of(bySubjectName);
    }
    try {
      Collection<List<?>> names = certificate.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          int type = (Integer) name.get(0);
          if ((type == DNS || type == URI || type == EMAIL) && bySan.containsKey(String.valueOf(name.get(1)))) {
            return Optional.of(bySan.get(String.valueOf(name.get(1))));
          }
        }
      }
    } catch (CertificateParsingException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}

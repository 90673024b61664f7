package dev.portcullis.guards;

import dev.portcullis.guard.GuardListener;
import dev.portcullis.guard.InjectionGuard;
import dev.portcullis.guard.MicrometerGuardListener;
import dev.portcullis.guard.PiiGuard;
import dev.portcullis.guard.SecurityEvent;
import dev.portcullis.guard.action.Redactor;
import dev.portcullis.guard.detect.Scanner;
import dev.portcullis.guard.detect.ScannerConfig;
import dev.portcullis.guard.injection.InjectionScorer;
import dev.portcullis.guards.GuardSettings.Profile;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guards built from one {@link GuardSettings} snapshot, rebuilt when a reload changes the section. Security
 * events go to metrics and to the {@code portcullis.security} log as JSON (guard, type, action, route, principal,
 * shadow) — never the matched value, the prompt or the completion.
 */
final class GuardRuntime {

  private static final Logger SECURITY = LoggerFactory.getLogger("portcullis.security");
  private static final com.fasterxml.jackson.core.JsonFactory JSON = new com.fasterxml.jackson.core.JsonFactory();

  /** The guards of one profile. */
  record Built(Profile profile, PiiGuard input, InjectionGuard injection, PiiGuard output) {}

  /**
   * The guards of one settings snapshot: per region (the default region's built at once, tenants' regions on first
   * use; bounded by the configured regions), per profile name.
   */
  private record Snapshot(GuardSettings settings, Scanner scanner, Map<String, Map<String, Built>> regions) {}

  private final GuardListener listener;
  /** Loaded on first use: only profiles with an injection check pay for the scorer's tables. */
  private volatile InjectionScorer scorer;
  private final AtomicReference<Snapshot> current = new AtomicReference<>();

  GuardRuntime(MeterRegistry registry) {
    this.listener = new MicrometerGuardListener(registry, GuardRuntime::log);
  }

  GuardListener listener() {
    return listener;
  }

  /** The built profile for this snapshot, plan and tenant (whose phone region it uses). */
  Built profile(GuardSettings settings, String plan, String tenant) {
    Snapshot s = current.get();
    if (s == null || s.settings() != settings) {
      Scanner scanner = Scanner.create(ScannerConfig.all(settings.region()));
      Map<String, Map<String, Built>> regions = new ConcurrentHashMap<>();
      regions.put(settings.region(), build(settings, scanner));
      s = new Snapshot(settings, scanner, regions);
      current.set(s);
    }
    Snapshot snapshot = s;
    Map<String, Built> profiles = snapshot.regions().computeIfAbsent(settings.regionFor(tenant),
        region -> build(settings, snapshot.scanner().withRegion(region)));
    return profiles.get(settings.profileFor(plan).name());
  }

  private Map<String, Built> build(GuardSettings settings, Scanner scanner) {
    Map<String, Built> built = new HashMap<>();
    for (Profile p : settings.profiles().values()) {
      PiiGuard input = p.input() == null ? null : new PiiGuard("pii-input", new Redactor(scanner, p.input()),
          p.inputFailure(), p.inputShadow(), listener);
      InjectionGuard injection = p.injection() == null ? null
          : new InjectionGuard("injection", scorer(), p.injection(), p.injectionFailure(), listener);
      PiiGuard output = p.output() == null ? null : new PiiGuard("pii-output", new Redactor(scanner, p.output()),
          p.outputFailure(), p.outputShadow(), listener);
      built.put(p.name(), new Built(p, input, injection, output));
    }
    return Map.copyOf(built);
  }

  private InjectionScorer scorer() {
    InjectionScorer s = scorer;
    if (s == null) {
      synchronized (this) {
        if (scorer == null) {
          scorer = InjectionScorer.loadDefault();
        }
        s = scorer;
      }
    }
    return s;
  }

  /** The tenant's key for the hash action: HMAC-SHA-256 of the tenant id under the configured hash key. */
  static byte[] tenantKey(GuardSettings settings, String tenant, byte[] processKey) {
    byte[] secret = settings.hashKey() == null ? processKey : settings.hashKey().getBytes(StandardCharsets.UTF_8);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return mac.doFinal((tenant == null ? "" : tenant).getBytes(StandardCharsets.UTF_8));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }

  private static void log(SecurityEvent e) {
    if (!SECURITY.isInfoEnabled()) {
      return;
    }
    java.io.StringWriter out = new java.io.StringWriter(192);
    // a generator, not string formatting: a principal id may come from a token's subject, i.e. from the caller
    try (com.fasterxml.jackson.core.JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("ts", e.at().toString());
      g.writeStringField("type", "security");
      g.writeStringField("guard", e.guard());
      g.writeStringField("finding", e.type());
      g.writeStringField("action", e.action());
      g.writeStringField("route", e.route());
      g.writeStringField("principal", e.principalId());
      g.writeBooleanField("shadow", e.shadow());
      g.writeEndObject();
    } catch (java.io.IOException ex) {
      return;
    }
    SECURITY.info(out.toString());
  }
}

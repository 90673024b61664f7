package dev.portcullis.guard.action;

import dev.portcullis.guard.detect.Finding;
import dev.portcullis.guard.detect.FindingType;
import dev.portcullis.guard.detect.Scanner;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Applies an {@link ActionPolicy} to scanner findings. A blocked finding is also redacted in the returned text, so
 * a caller that ignores {@link Applied#blocked()} still never forwards the value. Immutable and thread-safe.
 */
public final class Redactor {
  private final Scanner scanner;
  private final ActionPolicy policy;

  public Redactor(Scanner scanner, ActionPolicy policy) {
    this.scanner = Objects.requireNonNull(scanner, "scanner");
    this.policy = Objects.requireNonNull(policy, "policy");
  }

  public Scanner scanner() {
    return scanner;
  }

  public ActionPolicy policy() {
    return policy;
  }

  /** Scans {@code text} and applies the policy. */
  public Applied apply(CharSequence text, RequestScope scope) {
    return apply(text, scanner.scan(text), scope);
  }

  /** Applies the policy to {@code findings} of {@code text} (sorted, non-overlapping, as the scanner returns). */
  public Applied apply(CharSequence text, List<Finding> findings, RequestScope scope) {
    if (findings.isEmpty()) {
      return new Applied(text.toString(), List.of(), Set.of());
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    List<Applied.Hit> hits = new ArrayList<>(findings.size());
    Set<FindingType> blocked = EnumSet.noneOf(FindingType.class);
    int pos = 0;
    for (Finding f : findings) {
      Action a = policy.actionFor(f);
      out.append(text, pos, f.start());
      out.append(replacement(text, f, a, scope));
      pos = f.end();
      hits.add(new Applied.Hit(f.type(), f.start(), f.end(), f.confidence(), a));
      if (a instanceof Action.Block) {
        blocked.add(f.type());
      }
    }
    out.append(text, pos, text.length());
    return new Applied(out.toString(), hits, blocked);
  }

  /** Text that replaces finding {@code f} of {@code text} under action {@code a}. */
  public String replacement(CharSequence text, Finding f, Action a, RequestScope scope) {
    String value = text.subSequence(f.start(), f.end()).toString();
    return switch (a) {
      case Action.Allow allow -> value;
      case Action.Block block -> "[" + f.type().label() + "]";
      case Action.Redact redact -> "[" + f.type().label() + "]";
      case Action.Mask mask -> mask(value, mask.keepLast());
      case Action.Hash hash -> "[" + f.type().label() + ":" + hmac(scope, f.type(), value) + "]";
      case Action.Pseudonymise p -> {
        String placeholder = scope.vault().placeholderFor(f.type(), value);
        yield placeholder != null ? placeholder : "[" + f.type().label() + "]";
      }
    };
  }

  static String mask(String value, int keepLast) {
    char[] c = value.toCharArray();
    int kept = 0;
    for (int i = c.length - 1; i >= 0; i--) {
      if (Character.isLetterOrDigit(c[i])) {
        if (kept < keepLast) {
          kept++;
        } else {
          c[i] = '*';
        }
      }
    }
    return new String(c);
  }

  private static String hmac(RequestScope scope, FindingType type, String value) {
    Objects.requireNonNull(scope, "hash action needs a RequestScope with the tenant key");
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(scope.tenantKey(), "HmacSHA256"));
      mac.update(type.name().getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      byte[] d = mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}

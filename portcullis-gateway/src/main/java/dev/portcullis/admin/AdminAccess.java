package dev.portcullis.admin;

import dev.portcullis.config.GatewayConfig.AdminConfig;
import dev.portcullis.config.GatewayConfig.AdminRole;
import dev.portcullis.config.GatewayConfig.AdminUser;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.function.Supplier;

/**
 * Authenticates admin API calls and checks roles. A caller presents {@code Authorization: Bearer <token>}; the
 * token's SHA-256 is compared in constant time with every configured user's. With no users configured, callers
 * on loopback addresses act as {@code admin} (a single-machine setup); everyone else is refused.
 */
public final class AdminAccess {

  /** Where {@link #authenticate} leaves the caller for later handlers. */
  public static final String CALLER = "portcullis.admin.caller";

  private final Supplier<AdminConfig> config;

  public AdminAccess(Supplier<AdminConfig> config) {
    this.config = config;
  }

  /** A route handler: authenticates, stores the caller in the context, or ends with 401. */
  public void authenticate(RoutingContext ctx) {
    AdminCaller caller = caller(ctx);
    if (caller == null) {
      ctx.response().putHeader("www-authenticate", "Bearer realm=\"portcullis-admin\"");
      Problems.send(ctx.response(), 401, "Unauthorized", "Admin API calls need an admin user's bearer token.");
      return;
    }
    ctx.put(CALLER, caller);
    ctx.next();
  }

  public static AdminCaller callerOf(RoutingContext ctx) {
    return ctx.get(CALLER);
  }

  /** Ends with 403 and returns false unless the caller may read this tenant. */
  public static boolean mayRead(RoutingContext ctx, String tenantId) {
    return allowed(ctx, callerOf(ctx).canRead(tenantId));
  }

  /** Ends with 403 and returns false unless the caller may change this tenant. */
  public static boolean mayWrite(RoutingContext ctx, String tenantId) {
    return allowed(ctx, callerOf(ctx).canWrite(tenantId));
  }

  /** Ends with 403 and returns false unless the caller is an {@code admin}. */
  public static boolean mayAdminister(RoutingContext ctx) {
    return allowed(ctx, callerOf(ctx).isAdmin());
  }

  /** Ends with 403 and returns false unless the caller may read data that belongs to no tenant. */
  public static boolean mayReadGlobal(RoutingContext ctx) {
    return allowed(ctx, callerOf(ctx).canReadGlobal());
  }

  private static boolean allowed(RoutingContext ctx, boolean allowed) {
    if (!allowed) {
      AdminAudit.reason(ctx, "role");
      Problems.send(ctx.response(), 403, "Forbidden", "Your admin role does not allow this.");
    }
    return allowed;
  }

  AdminCaller caller(RoutingContext ctx) {
    AdminConfig admin = config.get();
    String header = ctx.request().getHeader("authorization");
    if (admin.users().isEmpty()) {
      String address = ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress();
      return header == null && isLoopback(address) ? AdminCaller.of("local", AdminRole.ADMIN, null, null) : null;
    }
    if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    byte[] given = sha256(header.substring(7).strip());
    AdminUser match = null;
    for (AdminUser user : admin.users()) {
      // compare with every user, so timing does not reveal which one (or whether any) matched
      if (MessageDigest.isEqual(given, HexFormat.of().parseHex(user.tokenSha256())) && match == null) {
        match = user;
      }
    }
    return match == null ? null : AdminCaller.of(match.name(), match.role(), match.tenant(),
        match.scopes());
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean isLoopback(String address) {
    if (address == null) {
      return false;
    }
    try {
      return InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}

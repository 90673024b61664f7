package dev.portcullis.server;

import dev.portcullis.identity.apikey.CidrBlock;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.util.List;

/**
 * Decides the client's IP address for a request: the peer of the connection, unless that peer is a trusted
 * proxy ({@code server.trusted-proxies}); then {@code X-Forwarded-For} is read from the right, skipping trusted
 * proxies, and the first address that is not one is the client. Entries further left were written by the client
 * and are never believed. An entry that is not an IP literal, or a chain longer than {@link #MAX_HOPS} trusted hops,
 * makes the client unknown (null): never the proxy's own address, which a pin or an IP limit might favour. With no
 * trusted proxies the header is ignored entirely.
 */
public final class ClientAddresses {

  /** Most hops read from the right; a longer chain is refused as unreadable. */
  static final int MAX_HOPS = 32;

  private ClientAddresses() {}

  /**
   * The client's address as text (an IP literal), or null when the peer is unknown or the chain cannot be read (an
   * entry that is not an address, or more than {@link #MAX_HOPS} hops): then the client is unknown, never the proxy.
   */
  public static String resolve(List<CidrBlock> trusted, SocketAddress peer, List<String> forwardedFor) {
    String address = peer == null ? null : peer.hostAddress();
    if (trusted.isEmpty() || address == null || forwardedFor.isEmpty()) {
      return address;
    }
    InetAddress hop = parse(address);
    int walked = 0;
    for (int h = forwardedFor.size() - 1; h >= 0; h--) {
      String header = forwardedFor.get(h);
      int end = header.length();
      while (end >= 0) {
        int comma = header.lastIndexOf(',', end - 1);
        String entry = header.substring(comma + 1, end).strip();
        end = comma;
        if (entry.isEmpty()) {
          continue;
        }
        if (hop == null || !isTrusted(trusted, hop)) {
          return address;
        }
        if (++walked > MAX_HOPS) {
          return null;
        }
        hop = parse(entry);
        if (hop == null) {
          return null;
        }
        address = hop.getHostAddress();
      }
    }
    return address;
  }

  private static boolean isTrusted(List<CidrBlock> trusted, InetAddress address) {
    for (CidrBlock block : trusted) {
      if (block.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /** An IP literal, optionally {@code [v6]} or with a port as some proxies write it; null otherwise. */
  private static InetAddress parse(String text) {
    String s = text;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0) {
        return null;
      }
      s = s.substring(1, close);
    } else if (s.indexOf(':') == s.lastIndexOf(':') && s.indexOf(':') > 0) {
      s = s.substring(0, s.indexOf(':')); // IPv4 with a port
    }
    if (s.isEmpty() || s.length() > 45 || !isLiteralChars(s)) {
      return null;
    }
    try {
      return InetAddress.ofLiteral(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static boolean isLiteralChars(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '.' || c == ':')) {
        return false;
      }
    }
    return true;
  }
}

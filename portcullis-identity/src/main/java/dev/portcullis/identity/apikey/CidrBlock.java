package dev.portcullis.identity.apikey;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}); a bare address is a /32
 * or /128. An IPv4 block never matches an IPv6 address and vice versa.
 */
public record CidrBlock(byte[] network, int prefixLength) {

  public CidrBlock {
    network = network.clone();
  }

  /** Parses CIDR text. Only literal addresses are accepted; no name is ever resolved. */
  public static CidrBlock parse(String text) {
    if (text == null || text.isEmpty() || text.length() > 64) {
      throw new IllegalArgumentException("a CIDR block looks like 10.0.0.0/8 or 2001:db8::/32");
    }
    int slash = text.indexOf('/');
    String address = slash < 0 ? text : text.substring(0, slash);
    if (!isLiteral(address)) {
      throw new IllegalArgumentException("not an IP address literal: " + address);
    }
    byte[] bytes;
    try {
      bytes = InetAddress.ofLiteral(address).getAddress();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not an IP address literal: " + address, e);
    }
    int bits = bytes.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(text.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad prefix length in " + text, e);
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException("prefix length must be 0-" + bits + " in " + text);
      }
    }
    return new CidrBlock(mask(bytes, prefix), prefix);
  }

  /** True when {@code address} lies inside this block. */
  public boolean contains(InetAddress address) {
    byte[] candidate = address.getAddress();
    if (candidate.length != network.length) {
      return false;
    }
    int whole = prefixLength >>> 3;
    for (int i = 0; i < whole; i++) {
      if (candidate[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixLength & 7;
    return rest == 0 || ((candidate[whole] ^ network[whole]) & (0xff << (8 - rest)) & 0xff) == 0;
  }

  @Override
  public byte[] network() {
    return network.clone();
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CidrBlock other && other.prefixLength == prefixLength && Arrays.equals(other.network, network);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(network) * 31 + prefixLength;
  }

  private static boolean isLiteral(String address) {
    for (int i = 0; i < address.length(); i++) {
      char c = address.charAt(i);
      if (!(Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
        return false;
      }
    }
    // IPv4 only in full dotted-quad form; the legacy short forms ("10.1") are refused as ambiguous.
    return !address.isEmpty() && (address.indexOf(':') >= 0 || address.chars().filter(c -> c == '.').count() == 3);
  }

  private static byte[] mask(byte[] address, int prefix) {
    byte[] out = address.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] = (byte) (out[i] & (0xff << (8 - keep)));
    }
    return out;
  }
}

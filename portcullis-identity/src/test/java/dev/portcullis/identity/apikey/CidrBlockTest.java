package dev.portcullis.identity.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class CidrBlockTest {

  @Test
  void matchesAddressesInsideAnIpv4Block() {
    CidrBlock block = CidrBlock.parse("10.20.0.0/16");
    assertThat(block.contains(InetAddress.ofLiteral("10.20.255.1"))).isTrue();
    assertThat(block.contains(InetAddress.ofLiteral("10.21.0.1"))).isFalse();
    assertThat(block.toString()).isEqualTo("10.20.0.0/16");
  }

  @Test
  void normalisesHostBitsAndTreatsBareAddressAsSingleHost() {
    assertThat(CidrBlock.parse("192.168.1.77/24")).isEqualTo(CidrBlock.parse("192.168.1.0/24"));
    CidrBlock host = CidrBlock.parse("203.0.113.9");
    assertThat(host.contains(InetAddress.ofLiteral("203.0.113.9"))).isTrue();
    assertThat(host.contains(InetAddress.ofLiteral("203.0.113.8"))).isFalse();
  }

  @Test
  void matchesIpv6AndNeverMixesFamilies() {
    CidrBlock v6 = CidrBlock.parse("2001:db8::/32");
    assertThat(v6.contains(InetAddress.ofLiteral("2001:db8:1::5"))).isTrue();
    assertThat(v6.contains(InetAddress.ofLiteral("2001:db9::5"))).isFalse();
    assertThat(CidrBlock.parse("0.0.0.0/0").contains(InetAddress.ofLiteral("::1"))).isFalse();
  }

  @Test
  void refusesBadBlocksWithClearErrors() {
    for (String bad : new String[] {"", "10.0.0.0/33", "10.0.0.0/x", "example.com/8", "10.0.0/8", "::1/129"}) {
      assertThatThrownBy(() -> CidrBlock.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @net.jqwik.api.Property(tries = 2000)
  void containsIsABitPrefixComparison(@net.jqwik.api.ForAll @net.jqwik.api.constraints.Size(4) byte[] network,
      @net.jqwik.api.ForAll @net.jqwik.api.constraints.Size(4) byte[] candidate,
      @net.jqwik.api.ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 32) int prefix) throws Exception {
    CidrBlock block = CidrBlock.parse(InetAddress.getByAddress(network).getHostAddress() + "/" + prefix);
    long a = Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(network).getInt());
    long b = Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(candidate).getInt());
    boolean expected = prefix == 0 || (a >>> (32 - prefix)) == (b >>> (32 - prefix));
    assertThat(block.contains(InetAddress.getByAddress(candidate))).isEqualTo(expected);
    assertThat(block.contains(InetAddress.getByAddress(network))).isTrue();
  }
}

package dev.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.identity.apikey.CidrBlock;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressesTest {

  static final SocketAddress PROXY = SocketAddress.inetSocketAddress(443, "10.0.0.5");
  static final SocketAddress STRANGER = SocketAddress.inetSocketAddress(443, "198.51.100.9");
  static final List<CidrBlock> PROXIES = List.of(CidrBlock.parse("10.0.0.0/8"), CidrBlock.parse("2001:db8::/32"));

  @Test
  void withoutTrustedProxiesThePeerIsTheClient() {
    assertThat(ClientAddresses.resolve(List.of(), PROXY, List.of("203.0.113.7"))).isEqualTo("10.0.0.5");
  }

  @Test
  void anUntrustedPeerCannotNameAnotherClient() {
    assertThat(ClientAddresses.resolve(PROXIES, STRANGER, List.of("203.0.113.7"))).isEqualTo("198.51.100.9");
  }

  @Test
  void walksFromTheRightPastTrustedHops() {
    assertThat(ClientAddresses.resolve(PROXIES, PROXY, List.of("203.0.113.7"))).isEqualTo("203.0.113.7");
    assertThat(ClientAddresses.resolve(PROXIES, PROXY, List.of("1.2.3.4, 203.0.113.7, 10.1.1.1"))).isEqualTo("203.0.113.7");
    assertThat(ClientAddresses.resolve(PROXIES, PROXY, List.of("1.2.3.4", "203.0.113.7, 10.1.1.1"))).isEqualTo("203.0.113.7");
    assertThat(ClientAddresses.resolve(PROXIES, PROXY, List.of("10.2.2.2, 10.1.1.1"))).isEqualTo("10.2.2.2");
  }

  @Test
  void readsPortsAndBracketsAndStopsAtGarbage() {
    assertThat(ClientAddresses.resolve(PROXIES, PROXY, List.of("203.0.113.7:5123"))).isEqualTo("203.0.113.7");
    assertThat(ClientAddresses.resolve(PROXIES, PROXY, List.of("[2001:db9::1]:443"))).isEqualTo("2001:db9:0:0:0:0:0:1");
    assertThat(ClientAddresses.resolve(PROXIES, PROXY, List.of("203.0.113.7, unknown"))).isNull();
    assertThat(ClientAddresses.resolve(PROXIES, PROXY, List.of("203.0.113.7, evil.example"))).isNull();
    assertThat(ClientAddresses.resolve(PROXIES, PROXY, List.of("203.0.113.7, , "))).isEqualTo("203.0.113.7");
    assertThat(ClientAddresses.resolve(PROXIES, PROXY, List.of())).isEqualTo("10.0.0.5");
    assertThat(ClientAddresses.resolve(PROXIES, null, List.of("203.0.113.7"))).isNull();
  }

  @Test
  void aLongChainMakesTheClientUnknownNotTheProxy() {
    // a client pads the header so that the hop our proxy appended is pushed out of reach
    String padded = ",".repeat(200) + " 198.51.100.9";
    assertThat(ClientAddresses.resolve(PROXIES, PROXY, List.of(padded))).isEqualTo("198.51.100.9");
    String manyTrusted = "10.0.0.1, ".repeat(40) + "10.0.0.2";
    assertThat(ClientAddresses.resolve(PROXIES, PROXY, List.of("198.51.100.9, " + manyTrusted))).isNull();
    assertThat(ClientAddresses.resolve(PROXIES, PROXY, List.of("203.0.113.7, 10.0.0.9"))).isEqualTo("203.0.113.7");
  }
}

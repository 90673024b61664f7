package dev.portcullis.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.LiveConfig;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PortInUseTest {

  /** Another process on the port must stop the start, never share the port silently. */
  @Test
  void refusesToStartOnAPortAnotherSocketHolds() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      taken.setReuseAddress(false);
      String yaml = """
          server: {listeners: [{name: public, host: 127.0.0.1, port: %d}]}
          admin: {host: 127.0.0.1, port: 0}
          upstreams: [{name: u, base-url: "http://127.0.0.1:1/v1", models: [m]}]
          """.formatted(taken.getLocalPort());
      LiveConfig live = LiveConfig.fixed(ConfigLoader.parse(yaml, Map.<String, String>of()::get, Path.of(".")));
      Vertx vertx = Vertx.vertx();
      try {
        assertThatThrownBy(() -> Gateway.builder(live).start(vertx).await()).hasMessageContaining("in use");
      } finally {
        vertx.close().await();
      }
    }
  }
}

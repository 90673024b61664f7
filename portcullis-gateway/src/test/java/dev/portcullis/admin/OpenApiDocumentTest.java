package dev.portcullis.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.portcullis.auth.IdentityAdminRoutes;
import dev.portcullis.config.GatewayConfig.AdminConfig;
import dev.portcullis.observe.GatewayMetrics;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Route;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpenApiDocumentTest {

  /** Every admin route mounted by the server and the identity feature is in the document, and nothing else. */
  @Test
  void documentListsEveryMountedAdminRoute() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      AdminServer server = new AdminServer(vertx, new AdminConfig("127.0.0.1", 0, List.of()), new GatewayMetrics(),
          () -> true, () -> null, List.of(new IdentityAdminRoutes(vertx, null, java.time.Clock.systemUTC()),
              new dev.portcullis.limits.LimitsAdminRoutes(vertx, null, null, null, null)));
      server.start().await();
      Set<String> mounted = new HashSet<>();
      for (Route route : server.router().getRoutes()) {
        if (route.getPath() == null || !route.getPath().startsWith("/admin/") || route.methods() == null) {
          continue;
        }
        String path = route.getPath().replaceAll(":([a-z]+)", "{$1}");
        route.methods().forEach(m -> mounted.add(m.name().toLowerCase(Locale.ROOT) + " " + path));
      }
      JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(AdminServer.OPENAPI);
      Set<String> documented = new HashSet<>();
      doc.path("paths").fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(m -> {
        if (!m.equals("parameters")) {
          documented.add(m + " " + p.getKey());
        }
      }));
      assertThat(documented).isEqualTo(mounted);
      server.close().await();
    } finally {
      vertx.close().await();
    }
  }
}

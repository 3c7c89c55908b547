package ai.poncho.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.testing.ApiClient;
import ai.poncho.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * monitoring/: the Grafana provisioning reaches the dashboard where compose mounts it and names the
 * provisioned data source; every metric a dashboard panel queries is one a real server exposes.
 * (prometheus*.yml and the alert rules are checked by promtool in scripts/test.sh.)
 */
class MonitoringFilesTest {

  private static final Path MONITORING = Path.of("monitoring");
  private static final Pattern METRIC = Pattern.compile("\\b((?:poncho|vertx|jvm)_[a-z0-9_]+)\\b");

  @Test
  void grafanaProvisioningFindsTheDashboardAndTheDataSource() throws Exception {
    Map<String, Object> dashboards = Tools.yaml(MONITORING.resolve("grafana-provisioning/dashboards.yml"));
    String path = Tools.map(Tools.map(Tools.list(dashboards.get("providers")).get(0)).get("options")).get("path")
        .toString();
    for (String compose : List.of("docker-compose.yml", "docker-compose.production.yml")) {
      assertThat(Compose.strings(Compose.service(Compose.load(compose), "grafana").get("volumes")))
          .contains("../monitoring/grafana-dashboard.json:" + path + "/ponchoai.json:ro");
    }
    Map<String, Object> datasource = Tools.map(Tools.list(Tools.yaml(MONITORING.resolve(
        "grafana-provisioning/datasources.yml")).get("datasources")).get(0));
    assertThat(datasource).containsEntry("type", "prometheus").containsEntry("url", "http://prometheus:9090");

    JsonObject dashboard = new JsonObject(Files.readString(MONITORING.resolve("grafana-dashboard.json")));
    assertThat(dashboard.getString("uid")).isNotBlank();
    assertThat(dashboard.getJsonArray("panels")).isNotEmpty();
    JsonArray variables = dashboard.getJsonObject("templating").getJsonArray("list");
    assertThat(variables.stream().map(JsonObject.class::cast))
        .anyMatch(v -> "datasource".equals(v.getString("name")) && "prometheus".equals(v.getString("query")));
  }

  @Test
  void everyMetricTheDashboardQueriesIsExposedByTheServer() throws Exception {
    Set<String> queried = new HashSet<>();
    JsonObject dashboard = new JsonObject(Files.readString(MONITORING.resolve("grafana-dashboard.json")));
    collect(dashboard, queried);
    assertThat(queried).isNotEmpty();

    String scrape;
    try (TestServer server = TestServer.start(); ApiClient api = new ApiClient(server)) {
      assertThat(api.chat(ApiClient.request("mock", "hello metrics")).statusCode()).isEqualTo(200);
      assertThat(api.chat(ApiClient.request("mock", "hello stream").put("stream", true)).statusCode()).isEqualTo(200);
      scrape = api.get("/metrics").bodyAsString();
    }
    Set<String> exposed = new HashSet<>();
    Matcher names = Pattern.compile("(?m)^([a-z_][a-z0-9_]*)[{ ]").matcher(scrape);
    while (names.find()) {
      exposed.add(names.group(1));
    }
    assertThat(exposed).containsAll(queried);
  }

  private static void collect(Object node, Set<String> metrics) {
    if (node instanceof JsonObject object) {
      object.forEach(entry -> {
        if (entry.getKey().equals("expr") && entry.getValue() instanceof String expr) {
          Matcher matcher = METRIC.matcher(expr);
          while (matcher.find()) {
            metrics.add(matcher.group(1));
          }
        } else {
          collect(entry.getValue(), metrics);
        }
      });
    } else if (node instanceof JsonArray array) {
      array.forEach(item -> collect(item, metrics));
    }
  }
}

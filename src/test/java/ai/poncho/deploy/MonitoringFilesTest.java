package ai.poncho.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.chat.Ids;
import ai.poncho.testing.ApiClient;
import ai.poncho.testing.AuthClient;
import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.TestServer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * monitoring/: the Grafana provisioning reaches the dashboard where compose mounts it and names the
 * provisioned data source; every metric a dashboard panel or an alert rule queries is one a real server
 * exposes. (prometheus*.yml and the alert rules' behaviour are checked by promtool in scripts/test.sh.)
 */
class MonitoringFilesTest {

  private static final Path MONITORING = Path.of("monitoring");
  /** Metric names; the GenAI label names (gen_ai_response_model, ...) are not. */
  private static final Pattern METRIC = Pattern.compile("\\b((?:poncho|vertx|jvm|gen_ai_client|gen_ai_server)_[a-z0-9_]+)\\b");
  private static final String MASTER = AuthClient.newMasterKey();
  private static Set<String> exposed;

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
    assertThat(queried).contains("poncho_gateway_overhead_seconds_bucket", "gen_ai_client_token_usage_sum",
        "poncho_cost_usd_total");
    assertThat(exposed()).containsAll(queried);
  }

  @Test
  void everyMetricTheAlertRulesUseIsExposedByTheServer() throws Exception {
    Set<String> queried = new HashSet<>();
    for (Object group : Tools.list(Tools.yaml(MONITORING.resolve("alerts.yml")).get("groups"))) {
      for (Object rule : Tools.list(Tools.map(group).get("rules"))) {
        Matcher matcher = METRIC.matcher(Tools.map(rule).get("expr").toString());
        while (matcher.find()) {
          queried.add(matcher.group(1));
        }
      }
    }
    assertThat(queried).contains("poncho_redis_up", "poncho_circuit_breaker_state", "poncho_prompt_files_failing",
        "poncho_budget_soft_limit_reached", "gen_ai_server_time_to_first_token_seconds_bucket");
    assertThat(exposed()).containsAll(queried);
  }

  /**
   * The metric names two real servers expose once they have served calls: one as the development stack runs
   * (memory state, response cache on), one as production does (Redis state, API keys with a budget, an
   * OpenAI upstream with its breaker, a rate limit hit, a retry and a fallback). Some meters exist only with
   * their backend (poncho_cache_bytes in memory, poncho_redis_up with Redis).
   */
  private static synchronized Set<String> exposed() {
    if (exposed != null) {
      return exposed;
    }
    Set<String> names = new HashSet<>();
    try (TestServer server = TestServer.start(TestServer.config().put("cache", new JsonObject().put("enabled", true)));
         ApiClient api = new ApiClient(server)) {
      assertThat(api.chat(ApiClient.request("mock", "hello metrics")).statusCode()).isEqualTo(200);
      assertThat(api.chat(ApiClient.request("mock", "hello stream").put("stream", true)).statusCode()).isEqualTo(200);
      names.addAll(names(api.get("/metrics").bodyAsString()));
    }
    try (FakeUpstream good = FakeUpstream.start(); FakeUpstream bad = FakeUpstream.start()) {
      good.always(FakeUpstream.openAiChat("gpt-4o", "fine", 20, 10));
      JsonObject upstream = new JsonObject().put("provider", "openai").put("api_key", "sk-upstream-monitoring")
          .put("model_name", "gpt-4o").put("retry_initial_backoff", "10ms");
      JsonObject config = AuthClient.config(MASTER)
          .put("cache", new JsonObject().put("enabled", true))
          .put("state", new JsonObject().put("backend", "redis").put("redis", new JsonObject()
              .put("url", "redis://127.0.0.1:6379").put("prefix", Ids.random("poncho-test:") + ":")));
      config.getJsonObject("models")
          .put("gpt", upstream.copy().put("base_url", good.baseUrl()).put("max_retries", 0))
          .put("main", upstream.copy().put("base_url", bad.baseUrl()).put("max_retries", 1)
              .put("fallbacks", new JsonArray().add("gpt")));
      try (TestServer server = TestServer.start(config); AuthClient client = new AuthClient(server)) {
        JsonObject key = client.createKey(MASTER, AuthClient.key("user").put("team", "ops").put("rpm", 3)
            .put("max_budget", "100").put("budget_period", "monthly"));
        String secret = key.getString("key");
        assertThat(client.chat(secret, "gpt").statusCode()).isEqualTo(200);
        assertThat(client.send(HttpMethod.POST, "/v1/chat/completions", secret, ApiClient.request("gpt", "s")
            .put("stream", true)).statusCode()).isEqualTo(200);
        assertThat(client.chat(secret, "main").statusCode()).isEqualTo(200);
        assertThat(client.chat(secret, "gpt").statusCode()).isEqualTo(429);
        await().atMost(Duration.ofSeconds(10)).until(() -> names(client.get("/metrics", null).bodyAsString())
            .containsAll(Set.of("poncho_cost_usd_total", "poncho_redis_up", "gen_ai_client_token_usage_sum")));
        names.addAll(names(client.get("/metrics", null).bodyAsString()));
      }
    }
    exposed = names;
    return names;
  }

  private static Set<String> names(String scrape) {
    Set<String> names = new HashSet<>();
    Matcher matcher = Pattern.compile("(?m)^([a-z_][a-z0-9_]*)[{ ]").matcher(scrape);
    while (matcher.find()) {
      names.add(matcher.group(1));
    }
    return names;
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

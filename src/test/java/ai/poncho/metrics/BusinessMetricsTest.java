package ai.poncho.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import ai.poncho.testing.AuthClient;
import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.Metrics;
import ai.poncho.testing.Sse;
import ai.poncho.testing.TestServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The business and GenAI metrics over the real protocol: API keys over HTTP, a fake OpenAI upstream that
 * reports usage in the vendor's wire format, /metrics scraped as Prometheus would. Token counts equal the
 * reported usage, cost equals the cost the response reported, overhead excludes the upstream's time,
 * key and team labels stay within metrics.key_label_limit.
 */
class BusinessMetricsTest {

  private static final String MASTER = AuthClient.newMasterKey();
  private static final int PROMPT = 1000;
  private static final int COMPLETION = 500;
  /** 1000 × 2.50 + 500 × 10.00 USD per million tokens. */
  private static final double COST = 0.0075;
  private static final long UPSTREAM_DELAY_MS = 300;
  private static final String GENAI = "gen_ai_operation_name=\"chat\"";
  /** Every answer reports PROMPT and COMPLETION tokens, streamed or not. */
  private static final FakeUpstream.Responder OPENAI = FakeUpstream.openAiChat("gpt-4o-test", "counted", PROMPT,
      COMPLETION);

  private static FakeUpstream good;
  private static FakeUpstream bad;
  private TestServer server;
  private AuthClient client;

  @BeforeAll
  static void upstreams() {
    good = FakeUpstream.start();
    bad = FakeUpstream.start();
  }

  @AfterAll
  static void stopUpstreams() {
    good.close();
    bad.close();
  }

  @BeforeEach
  void start() {
    good.reset();
    bad.reset();
    good.always(OPENAI);
    bad.always(FakeUpstream.json(500, new JsonObject().put("error", new JsonObject().put("message", "boom")
        .put("type", "server_error").put("param", null).put("code", null))));
    JsonObject upstream = new JsonObject().put("provider", "openai").put("api_key", "sk-upstream-metrics")
        .put("model_name", "gpt-4o-test").put("retry_initial_backoff", "10ms").put("first_token_timeout", "10s");
    JsonObject config = AuthClient.config(MASTER)
        .put("metrics", TestServer.config().getJsonObject("metrics").copy().put("key_label_limit", 3));
    config.getJsonObject("models")
        .put("gpt", upstream.copy().put("base_url", good.baseUrl()).put("max_retries", 0)
            .put("pricing", new JsonObject().put("input_per_1m", 2.5).put("output_per_1m", 10.0)))
        .put("main", upstream.copy().put("base_url", bad.baseUrl()).put("max_retries", 1)
            .put("circuit_breaker", new JsonObject().put("enabled", false)).put("fallbacks", new JsonArray().add("gpt")));
    server = TestServer.start(config);
    client = new AuthClient(server);
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  private String scrape() {
    return client.get("/metrics", null).bodyAsString();
  }

  private HttpResponse<Buffer> chat(String key, JsonObject body) {
    return client.send(HttpMethod.POST, "/v1/chat/completions", key, body);
  }

  private static JsonObject request(String model) {
    return new JsonObject().put("model", model)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "count me")));
  }

  private double value(String name, String... labels) {
    return Metrics.sum(scrape(), name, labels);
  }

  @Test
  void tokensAndCostAreTheReportedUsageAndTheReportedCost() {
    JsonObject key = client.createKey(MASTER, AuthClient.key("user").put("team", "research"));
    String id = key.getString("id");
    HttpResponse<Buffer> plain = chat(key.getString("key"), request("gpt"));
    assertThat(plain.statusCode()).as(plain.bodyAsString()).isEqualTo(200);
    assertThat(Double.parseDouble(plain.getHeader("x-poncho-cost-usd"))).isEqualTo(COST);
    HttpResponse<Buffer> streamed = chat(key.getString("key"), request("gpt").put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true)));
    assertThat(streamed.statusCode()).isEqualTo(200);
    JsonObject last = Sse.json(streamed.bodyAsString()).get(Sse.json(streamed.bodyAsString()).size() - 1);
    assertThat(Double.parseDouble(last.getJsonObject("usage").getString("cost_usd"))).isEqualTo(COST);

    String[] model = {GENAI, "gen_ai_provider_name=\"openai\"", "gen_ai_system=\"openai\"",
        "gen_ai_request_model=\"gpt\"", "gen_ai_response_model=\"gpt\""};
    await().atMost(Duration.ofSeconds(10)).until(() -> value("gen_ai_client_token_usage_count",
        labels(model, "gen_ai_token_type=\"output\"")) == 2);
    String scrape = scrape();
    assertThat(Metrics.sum(scrape, "gen_ai_client_token_usage_sum", labels(model, "gen_ai_token_type=\"input\"")))
        .isEqualTo(2.0 * PROMPT);
    assertThat(Metrics.sum(scrape, "gen_ai_client_token_usage_sum", labels(model, "gen_ai_token_type=\"output\"")))
        .isEqualTo(2.0 * COMPLETION);
    assertThat(Metrics.sum(scrape, "gen_ai_client_token_usage_bucket",
        labels(model, "gen_ai_token_type=\"input\"", "le=\"1024.0\""))).isEqualTo(2);
    assertThat(Metrics.sum(scrape, "gen_ai_client_operation_duration_seconds_count", labels(model, "error_type=\"\"")))
        .isEqualTo(2);
    assertThat(Metrics.sum(scrape, "gen_ai_server_time_to_first_token_seconds_count", model)).isEqualTo(1);
    assertThat(Metrics.sum(scrape, "poncho_cost_usd_total", "model=\"gpt\"", "key=\"" + id + "\"",
        "team=\"research\"")).isCloseTo(2 * COST, within(1e-12));
    assertThat(Metrics.sum(scrape, "poncho_key_requests_total", "key=\"" + id + "\"", "team=\"research\"",
        "outcome=\"success\"")).isEqualTo(2);
    // The existing per-model token counters agree.
    assertThat(Metrics.sum(scrape, "poncho_chat_tokens_total", "model=\"gpt\"", "type=\"prompt\""))
        .isEqualTo(2.0 * PROMPT);
  }

  @Test
  void overheadExcludesTheUpstreamsTimeForPlainAndStreamedCalls() {
    good.always(FakeUpstream.delayed(UPSTREAM_DELAY_MS, OPENAI));
    long started = System.nanoTime();
    assertThat(chat(MASTER, request("gpt")).statusCode()).isEqualTo(200);
    double plainSeconds = (System.nanoTime() - started) / 1e9;
    started = System.nanoTime();
    assertThat(chat(MASTER, request("gpt").put("stream", true)).statusCode()).isEqualTo(200);
    double streamSeconds = (System.nanoTime() - started) / 1e9;

    String plain = "stream=\"false\"";
    String stream = "stream=\"true\"";
    await().atMost(Duration.ofSeconds(10)).until(() -> value("poncho_gateway_overhead_seconds_count",
        stream, "source=\"upstream\"") == 1 && value("poncho_gateway_overhead_seconds_count", plain,
        "source=\"upstream\"") == 1);
    String scrape = scrape();
    // Whatever the machine's speed: the gateway's share is what the client waited minus the upstream's delay, at most.
    double plainOverhead = Metrics.sum(scrape, "poncho_gateway_overhead_seconds_sum", plain, "source=\"upstream\"");
    double streamOverhead = Metrics.sum(scrape, "poncho_gateway_overhead_seconds_sum", stream, "source=\"upstream\"");
    assertThat(plainOverhead).isPositive().isLessThanOrEqualTo(plainSeconds - UPSTREAM_DELAY_MS / 1000.0);
    assertThat(streamOverhead).isPositive().isLessThanOrEqualTo(streamSeconds - UPSTREAM_DELAY_MS / 1000.0);
    assertThat(Metrics.sum(scrape, "poncho_gateway_overhead_seconds_count", "source=\"cache\"")).isZero();
    // The GenAI duration is the model call's, upstream included.
    assertThat(Metrics.sum(scrape, "gen_ai_client_operation_duration_seconds_sum", GENAI))
        .isGreaterThanOrEqualTo(2 * UPSTREAM_DELAY_MS / 1000.0);
    assertThat(Metrics.sum(scrape, "gen_ai_server_time_to_first_token_seconds_sum", GENAI))
        .isGreaterThanOrEqualTo(UPSTREAM_DELAY_MS / 1000.0);
  }

  @Test
  void refusedCallsAreCountedAsRateLimitedOrOverBudget() {
    JsonObject limited = client.createKey(MASTER, AuthClient.key("user").put("rpm", 1));
    assertThat(chat(limited.getString("key"), request("gpt")).statusCode()).isEqualTo(200);
    assertThat(chat(limited.getString("key"), request("gpt")).statusCode()).isEqualTo(429);
    JsonObject poor = client.createKey(MASTER, AuthClient.key("user").put("max_budget", "0.001")
        .put("budget_period", "monthly"));
    assertThat(chat(poor.getString("key"), request("gpt")).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> refused = chat(poor.getString("key"), request("gpt"));
    assertThat(AuthClient.error(refused).getString("code")).isEqualTo("insufficient_quota");

    String scrape = scrape();
    assertThat(Metrics.sum(scrape, "poncho_limits_rejected_total", "reason=\"rate_limited\"", "limit=\"rpm\"",
        "scope=\"key\"")).isEqualTo(1);
    assertThat(Metrics.sum(scrape, "poncho_limits_rejected_total", "reason=\"budget\"", "limit=\"max_budget\"",
        "scope=\"key\"")).isEqualTo(1);
    String budget = "name=\"" + poor.getString("id") + "\"";
    assertThat(Metrics.sum(scrape, "poncho_budget_used_ratio", "scope=\"key\"", budget)).isEqualTo(COST / 0.001);
    assertThat(Metrics.sum(scrape, "poncho_budget_soft_limit_reached", "scope=\"key\"", budget)).isEqualTo(1);
  }

  @Test
  void retriesFallbacksAndBreakersAreExported() {
    HttpResponse<Buffer> response = chat(MASTER, request("main"));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("x-poncho-model")).isEqualTo("gpt");
    assertThat(bad.count()).isEqualTo(2);

    await().atMost(Duration.ofSeconds(10)).until(() -> value("gen_ai_client_operation_duration_seconds_count",
        "gen_ai_request_model=\"main\"", "gen_ai_response_model=\"gpt\"") == 1);
    String scrape = scrape();
    assertThat(Metrics.sum(scrape, "poncho_dispatch_retries_total", "model=\"main\"", "deployment=\"main\""))
        .isEqualTo(1);
    assertThat(Metrics.sum(scrape, "poncho_dispatch_fallbacks_total", "from=\"main\"", "to=\"gpt\"")).isEqualTo(1);
    // Every breaker is exported from start-up; "main" has none.
    assertThat(scrape).contains("poncho_circuit_breaker_state{deployment=\"gpt\"} 0.0")
        .doesNotContain("poncho_circuit_breaker_state{deployment=\"main\"}");
  }

  @Test
  void keyAndTeamLabelsStayWithinTheirLimit() {
    List<String> ids = new java.util.ArrayList<>();
    assertThat(chat(MASTER, request("gpt")).statusCode()).isEqualTo(200);
    for (int i = 1; i <= 4; i++) {
      JsonObject key = client.createKey(MASTER, AuthClient.key("user").put("team", "team-" + i));
      ids.add(key.getString("id"));
      assertThat(chat(key.getString("key"), request("gpt")).statusCode()).isEqualTo(200);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> value("poncho_key_requests_total") == 5);
    String scrape = scrape();
    // Limit 3: the master key and the first two keys keep their ids; the third team is the last one named.
    assertThat(labelValues(scrape, "poncho_key_requests_total", "key"))
        .containsExactlyInAnyOrder("master", ids.get(0), ids.get(1), "other");
    assertThat(labelValues(scrape, "poncho_key_requests_total", "team"))
        .containsExactlyInAnyOrder("none", "team-1", "team-2", "team-3", "other");
    assertThat(Metrics.sum(scrape, "poncho_key_requests_total", "key=\"other\"")).isEqualTo(2);
    assertThat(labelValues(scrape, "poncho_cost_usd_total", "key")).hasSize(4);
    assertThat(Metrics.sum(scrape, "poncho_cost_usd_total")).isCloseTo(5 * COST, within(1e-12));
  }

  private static String[] labels(String[] base, String... more) {
    String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  private static Set<String> labelValues(String scrape, String metric, String label) {
    Set<String> values = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^" + metric + "\\{[^}]*\\b" + label + "=\"([^\"]*)\"").matcher(scrape);
    while (m.find()) {
      values.add(m.group(1));
    }
    return values;
  }
}

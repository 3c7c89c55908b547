package ai.poncho.limits;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.chat.Ids;
import ai.poncho.state.GatewayClock;
import ai.poncho.testing.AuthClient;
import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.TestClock;
import ai.poncho.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Limits and budgets set on real keys through the key API, on two gateway instances sharing Redis:
 * the key's rpm holds across both, its daily budget runs out after known-cost calls and comes back at
 * the next UTC day, GET /api/v1/keys/{id} shows spend, and the usage API shows each key its own usage.
 */
class KeyLimitsTest {

  private static final String MASTER = AuthClient.newMasterKey();

  private final Vertx vertx = Vertx.vertx();
  private final List<TestServer> servers = new ArrayList<>();
  private FakeUpstream upstream;

  @AfterEach
  void stop() {
    servers.forEach(TestServer::close);
    if (upstream != null) {
      upstream.close();
    }
    TestServer.await(vertx.close());
  }

  private List<TestServer> startTwo() {
    upstream = FakeUpstream.start();
    JsonObject completion = new JsonObject().put("id", "chatcmpl-k").put("object", "chat.completion")
        .put("created", 1_700_000_000).put("model", "gpt-4o").put("choices", new JsonArray().add(new JsonObject()
            .put("index", 0).put("message", new JsonObject().put("role", "assistant").put("content", "ok"))
            .put("finish_reason", "stop")))
        .put("usage", new JsonObject().put("prompt_tokens", 1000).put("completion_tokens", 500).put("total_tokens", 1500));
    upstream.always(FakeUpstream.json(200, completion));
    JsonObject config = AuthClient.config(MASTER).put("state", new JsonObject().put("backend", "redis")
        .put("redis", new JsonObject().put("prefix", Ids.random("poncho-test-") + ":").put("timeout", "3s")));
    // 1000 x 1.00/1M + 500 x 2.00/1M = 0.002 USD a call.
    config.getJsonObject("models").put("priced", new JsonObject().put("provider", "openai").put("api_key", "sk-up")
        .put("base_url", upstream.baseUrl() + "/v1").put("model_name", "gpt-4o").put("max_retries", 0)
        .put("pricing", new JsonObject().put("input_per_1m", "1.00").put("output_per_1m", "2.00")));
    for (int i = 0; i < 2; i++) {
      servers.add(TestServer.start(config));
    }
    return servers;
  }

  private static JsonObject chat(String model) {
    return new JsonObject().put("model", model).put("messages", new JsonArray().add(new JsonObject()
        .put("role", "user").put("content", "hello")));
  }

  @Test
  void aKeysRpmHoldsAcrossTwoInstances() {
    List<TestServer> two = startTwo();
    try (AuthClient admin = new AuthClient(two.get(0))) {
      JsonObject key = admin.createKey(MASTER, AuthClient.key("user").put("rpm", 60));
      String secret = key.getString("key");
      List<WebClient> clients = two.stream().map(server -> server.webClient(vertx)).toList();
      List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
      for (int i = 0; i < 90; i++) {
        calls.add(clients.get(i % 2).post("/v1/chat/completions").bearerTokenAuthentication(secret)
            .sendJsonObject(chat("mock")));
      }
      List<HttpResponse<Buffer>> responses = TestServer.await(Future.all(calls)).list();
      assertThat(responses.stream().filter(r -> r.statusCode() == 200)).hasSize(60);
      List<HttpResponse<Buffer>> limited = responses.stream().filter(r -> r.statusCode() == 429).toList();
      assertThat(limited).hasSize(30).allSatisfy(r -> {
        assertThat(AuthClient.error(r).getString("code")).isEqualTo("rate_limit_exceeded");
        assertThat(r.getHeader("retry-after")).isNotNull();
        assertThat(r.getHeader("x-ratelimit-limit-requests")).isEqualTo("60");
      });
    }
  }

  @Test
  void aKeysDailyBudgetRunsOutAfterKnownCostCallsAndComesBackTheNextUtcDay() {
    List<TestServer> two = startTwo();
    TestClock clock = new TestClock(Instant.now());
    two.forEach(server -> GatewayClock.of(server.vertx()).use(clock));
    try (AuthClient admin = new AuthClient(two.get(0)); AuthClient other = new AuthClient(two.get(1))) {
      JsonObject key = admin.createKey(MASTER, AuthClient.key("user")
          .put("max_budget", "0.006").put("budget_period", "daily"));
      String secret = key.getString("key");
      String id = key.getString("id");
      for (int i = 0; i < 3; i++) {
        HttpResponse<Buffer> ok = (i % 2 == 0 ? admin : other).send(HttpMethod.POST, "/v1/chat/completions", secret,
            chat("priced"));
        assertThat(ok.statusCode()).as(ok.bodyAsString()).isEqualTo(200);
        assertThat(ok.getHeader("x-poncho-cost-usd")).isEqualTo("0.002");
      }
      HttpResponse<Buffer> spent = other.send(HttpMethod.POST, "/v1/chat/completions", secret, chat("priced"));
      assertThat(spent.statusCode()).isEqualTo(429);
      assertThat(AuthClient.error(spent).getString("code")).isEqualTo("insufficient_quota");
      assertThat(AuthClient.error(spent).getString("type")).isEqualTo("insufficient_quota");
      assertThat(spent.getHeader("x-should-retry")).isEqualTo("false");

      JsonObject shown = admin.get("/api/v1/keys/" + id, MASTER).bodyAsJsonObject();
      assertThat(shown.getString("spend")).isEqualTo("0.006");
      assertThat(shown.getString("remaining_budget")).isEqualTo("0");
      assertThat(shown.getString("budget_resets_at")).endsWith("T00:00:00Z");

      // The next UTC day starts a new budget period.
      clock.set(Instant.parse(shown.getString("budget_resets_at")).plus(Duration.ofMinutes(1)));
      assertThat(admin.send(HttpMethod.POST, "/v1/chat/completions", secret, chat("priced")).statusCode()).isEqualTo(200);
      assertThat(other.get("/api/v1/keys/" + id, MASTER).bodyAsJsonObject().getString("spend")).isEqualTo("0.002");
    }
  }

  @Test
  void aKeySeesItsOwnUsageAndTheAdminSeesEveryKeys() {
    List<TestServer> two = startTwo();
    try (AuthClient a = new AuthClient(two.get(0)); AuthClient b = new AuthClient(two.get(1))) {
      JsonObject first = a.createKey(MASTER, AuthClient.key("user").put("team", "red"));
      JsonObject second = a.createKey(MASTER, AuthClient.key("user").put("team", "blue"));
      assertThat(a.send(HttpMethod.POST, "/v1/chat/completions", first.getString("key"), chat("priced")).statusCode())
          .isEqualTo(200);
      assertThat(b.send(HttpMethod.POST, "/v1/chat/completions", second.getString("key"), chat("priced")).statusCode())
          .isEqualTo(200);
      assertThat(b.send(HttpMethod.POST, "/v1/chat/completions", second.getString("key"), chat("priced")).statusCode())
          .isEqualTo(200);

      Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> b.get("/api/v1/usage", MASTER).bodyAsJsonObject()
          .getJsonObject("total").getLong("requests") == 3);
      JsonObject byTeam = a.get("/api/v1/usage?group_by=team", MASTER).bodyAsJsonObject();
      assertThat(byTeam.getJsonArray("data")).hasSize(2);
      assertThat(byTeam.getJsonObject("total").getString("cost_usd")).isEqualTo("0.006");
      JsonObject byKey = a.get("/api/v1/usage?group_by=key", MASTER).bodyAsJsonObject();
      assertThat(byKey.getJsonArray("data").stream().map(row -> ((JsonObject) row).getString("key_id")))
          .containsExactlyInAnyOrder(first.getString("id"), second.getString("id"));

      JsonObject own = b.get("/api/v1/usage", first.getString("key")).bodyAsJsonObject();
      assertThat(own.getString("key_id")).isEqualTo(first.getString("id"));
      assertThat(own.getJsonObject("total").getLong("requests")).isEqualTo(1);
      assertThat(own.getJsonObject("total").getString("cost_usd")).isEqualTo("0.002");
      HttpResponse<Buffer> others = b.get("/api/v1/usage?key_id=" + second.getString("id"), first.getString("key"));
      assertThat(others.statusCode()).isEqualTo(403);
    }
  }
}

package ai.poncho.limits;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.chat.Ids;
import ai.poncho.testing.ApiClient;
import ai.poncho.testing.OwnRedis;
import ai.poncho.testing.Sse;
import ai.poncho.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two gateway instances sharing one Redis (the machine's, under a random key prefix) enforce one limit
 * as if they were one; a Redis that dies mid-test gives the configured policy, quickly, and readiness says so.
 */
class SharedRedisLimitsTest {

  private final Vertx vertx = Vertx.vertx();
  private final List<TestServer> servers = new ArrayList<>();
  private OwnRedis ownRedis;

  @AfterEach
  void stop() {
    servers.forEach(TestServer::close);
    if (ownRedis != null) {
      ownRedis.close();
    }
    TestServer.await(vertx.close());
  }

  /** A generous timeout while Redis is up (the machine may be loaded); a dead one fails at once anyway. */
  private static JsonObject config(String redisUrl, String prefix, JsonObject limits) {
    return TestServer.config().put("limits", limits).put("state", new JsonObject().put("backend", "redis")
        .put("redis", new JsonObject().put("url", redisUrl).put("prefix", prefix).put("timeout", "3s")));
  }

  private List<WebClient> startTwo(String redisUrl, JsonObject limits) {
    String prefix = Ids.random("poncho-test-") + ":";
    List<WebClient> clients = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      TestServer server = TestServer.start(config(redisUrl, prefix, limits));
      servers.add(server);
      clients.add(server.webClient(vertx));
    }
    return clients;
  }

  private static JsonObject defaults(String key, int value) {
    return new JsonObject().put("default", new JsonObject().put(key, value));
  }

  @Test
  void sixtyRequestsPerMinuteAcrossTwoInstancesAdmitExactlySixty() {
    List<WebClient> clients = startTwo("redis://127.0.0.1:6379", defaults("rpm", 60));
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      calls.add(clients.get(i % 2).post("/v1/chat/completions").sendJsonObject(ApiClient.request("mock", "hi " + i)));
    }
    List<HttpResponse<Buffer>> responses = TestServer.await(Future.all(calls)).list();
    List<HttpResponse<Buffer>> ok = responses.stream().filter(r -> r.statusCode() == 200).toList();
    List<HttpResponse<Buffer>> limited = responses.stream().filter(r -> r.statusCode() == 429).toList();
    assertThat(ok).hasSize(60);
    assertThat(limited).hasSize(40);
    assertThat(ok).allSatisfy(r -> assertThat(r.getHeader("x-ratelimit-limit-requests")).isEqualTo("60"));
    assertThat(ok.stream().map(r -> r.getHeader("x-ratelimit-remaining-requests")).distinct()).hasSize(60);
    assertThat(limited).allSatisfy(r -> {
      assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("rate_limit_exceeded");
      assertThat(Integer.parseInt(r.getHeader("retry-after"))).isBetween(1, 60);
      assertThat(r.getHeader("x-ratelimit-remaining-requests")).isEqualTo("0");
      assertThat(r.getHeader("x-ratelimit-reset-tokens")).isNotNull();
    });
  }

  @Test
  void tokensStreamedThroughEitherInstanceCountAgainstOneTokenLimit() {
    List<WebClient> clients = startTwo("redis://127.0.0.1:6379", defaults("tpm", 80));
    int used = 0;
    int accepted = 0;
    HttpResponse<Buffer> last = null;
    for (int i = 0; i < 30; i++) {
      JsonObject request = ApiClient.request("mock", "several words to stream back " + i).put("stream", true)
          .put("stream_options", new JsonObject().put("include_usage", true));
      last = TestServer.await(clients.get(i % 2).post("/v1/chat/completions").sendJsonObject(request));
      if (last.statusCode() != 200) {
        break;
      }
      accepted++;
      List<JsonObject> chunks = Sse.json(last.bodyAsString());
      used += chunks.get(chunks.size() - 1).getJsonObject("usage").getInteger("total_tokens");
    }
    assertThat(last.statusCode()).isEqualTo(429);
    // Each stream is counted in Redis before its end reaches the client: the other instance sees all of them.
    assertThat(accepted).isBetween(2, 8);
    assertThat(used).isBetween(80 - 40, 80 + 40);
    assertThat(last.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("tokens per minute")
        .contains("used " + used);
    assertThat(last.getHeader("x-ratelimit-remaining-tokens")).isEqualTo(Integer.toString(Math.max(0, 80 - used)));
    assertThat(last.getHeader("x-ratelimit-limit-tokens")).isEqualTo("80");
  }

  @Test
  void aDeadRedisLetsCallsThroughUnderTheAllowPolicyAndReadinessSaysSo() {
    ownRedis = OwnRedis.start();
    List<WebClient> clients = startTwo(ownRedis.url(), defaults("rpm", 1000));
    assertThat(TestServer.await(clients.get(0).get("/health/ready").send()).statusCode()).isEqualTo(200);
    assertThat(TestServer.await(clients.get(0).post("/v1/chat/completions")
        .sendJsonObject(ApiClient.request("mock", "before"))).getHeader("x-ratelimit-limit-requests")).isEqualTo("1000");

    ownRedis.kill();
    long start = System.nanoTime();
    HttpResponse<Buffer> during = TestServer.await(clients.get(1).post("/v1/chat/completions")
        .sendJsonObject(ApiClient.request("mock", "during")));
    assertThat(during.statusCode()).isEqualTo(200);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(10_000);
    HttpResponse<Buffer> ready = TestServer.await(clients.get(1).get("/health/ready").send());
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.bodyAsString()).contains("\"redis\"");
    String scrape = TestServer.await(clients.get(1).get("/metrics").send()).bodyAsString();
    assertThat(scrape).contains("poncho_limits_store_failures_total{operation=\"check\",policy=\"allow\"");
  }

  @Test
  void aHungRedisCostsACallNoMoreThanTheTimeout() {
    ownRedis = OwnRedis.start();
    String prefix = Ids.random("poncho-test-") + ":";
    JsonObject config = config(ownRedis.url(), prefix, defaults("rpm", 1000));
    config.getJsonObject("state").getJsonObject("redis").put("timeout", "300ms");
    TestServer server = TestServer.start(config);
    servers.add(server);
    WebClient client = server.webClient(vertx);
    assertThat(TestServer.await(client.post("/v1/chat/completions").sendJsonObject(ApiClient.request("mock", "up")))
        .statusCode()).isEqualTo(200);

    ownRedis.freeze();
    long start = System.nanoTime();
    HttpResponse<Buffer> during = TestServer.await(client.post("/v1/chat/completions")
        .sendJsonObject(ApiClient.request("mock", "hung")));
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(during.statusCode()).isEqualTo(200);
    assertThat(during.getHeader("x-ratelimit-limit-requests")).isNull();
    assertThat(tookMs).isGreaterThanOrEqualTo(250).isLessThan(10_000);
    assertThat(TestServer.await(client.get("/health/ready").send()).statusCode()).isEqualTo(503);
  }

  @Test
  void aDeadRedisRefusesCallsUnderTheDenyPolicy() {
    ownRedis = OwnRedis.start();
    List<WebClient> clients = startTwo(ownRedis.url(), defaults("rpm", 1000).put("on_store_failure", "deny"));
    assertThat(TestServer.await(clients.get(0).post("/v1/chat/completions")
        .sendJsonObject(ApiClient.request("mock", "before"))).statusCode()).isEqualTo(200);
    ownRedis.kill();
    HttpResponse<Buffer> during = TestServer.await(clients.get(0).post("/v1/chat/completions")
        .sendJsonObject(ApiClient.request("mock", "during")));
    assertThat(during.statusCode()).isEqualTo(429);
    assertThat(during.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("rate_limit_exceeded");
    assertThat(during.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("unavailable");
    assertThat(during.getHeader("retry-after")).isEqualTo("1");
  }
}

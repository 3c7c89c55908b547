package ai.poncho.cache;

import static ai.poncho.testing.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.chat.Ids;
import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.Metrics;
import ai.poncho.testing.Sse;
import ai.poncho.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Redis backend with real Redis servers: the machine's shared one (only keys under a random prefix)
 * for two gateway nodes sharing answers, and one of the test's own that it kills, for a Redis that dies.
 */
class RedisResponseCacheTest {

  private static FakeUpstream upstream;
  private static Vertx clientVertx;

  @BeforeAll
  static void start() {
    upstream = FakeUpstream.start();
    upstream.always(new CachingUpstream().responder());
    clientVertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    await(clientVertx.close());
    upstream.close();
  }

  @BeforeEach
  void reset() {
    upstream.reset();
  }

  private static JsonObject config(String redisUrl, String prefix, String timeout) {
    JsonObject config = TestServer.config();
    config.getJsonObject("models").put("gpt", new JsonObject().put("provider", "openai").put("api_key", "sk-test-1")
        .put("base_url", upstream.baseUrl() + "/v1").put("max_retries", 0)
        .put("circuit_breaker", new JsonObject().put("enabled", false)));
    config.put("cache", new JsonObject().put("enabled", true));
    config.put("state", new JsonObject().put("backend", "redis").put("redis", new JsonObject().put("url", redisUrl)
        .put("timeout", timeout).put("prefix", prefix)));
    return config;
  }

  private static HttpResponse<Buffer> post(TestServer server, JsonObject body) {
    WebClient client = server.webClient(clientVertx);
    try {
      return await(client.post("/v1/chat/completions").sendJsonObject(body));
    } finally {
      client.close();
    }
  }

  private static JsonObject request(String text) {
    return new JsonObject().put("model", "gpt").put("seed", 7)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text)));
  }

  @Test
  void twoNodesShareAnswersThroughRedisStoredCompressedWithTheirTtl() {
    String prefix = Ids.random("poncho-test-") + ":";
    JsonObject config = config("redis://127.0.0.1:6379", prefix, "2s");
    Redis redis = Redis.createClient(clientVertx, "redis://127.0.0.1:6379");
    try (TestServer a = TestServer.start(config); TestServer b = TestServer.start(config)) {
      JsonObject body = request("shared by replicas");
      HttpResponse<Buffer> first = post(a, body);
      assertThat(first.getHeader("x-poncho-cache")).isEqualTo("miss");
      String answer = first.bodyAsJsonObject().getJsonArray("choices").getJsonObject(0).getJsonObject("message")
          .getString("content");
      await().atMost(Duration.ofSeconds(5)).until(() -> cacheKeys(redis, prefix).size() == 1);

      HttpResponse<Buffer> onB = post(b, body);
      assertThat(onB.getHeader("x-poncho-cache")).isEqualTo("hit");
      assertThat(onB.bodyAsJsonObject().getJsonArray("choices").getJsonObject(0).getJsonObject("message")
          .getString("content")).isEqualTo(answer);
      HttpResponse<Buffer> streamed = post(b, body.copy().put("stream", true));
      assertThat(streamed.getHeader("x-poncho-cache")).isEqualTo("hit");
      assertThat(Sse.content(Sse.json(streamed.bodyAsString()))).isEqualTo(answer);
      assertThat(upstream.count()).isEqualTo(1);

      String key = cacheKeys(redis, prefix).get(0);
      assertThat(key).startsWith(prefix + "cache:gpt:");
      byte[] stored = await(redis.send(Request.cmd(Command.GET).arg(key))).toBytes();
      assertThat(stored[0]).isEqualTo((byte) 1);
      assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("Answer");
      long ttl = await(redis.send(Request.cmd(Command.PTTL).arg(key))).toLong();
      assertThat(ttl).isBetween(1L, Duration.ofHours(1).toMillis());

      HttpResponse<Buffer> purged = await(b.webClient(clientVertx).delete("/api/v1/cache?model=gpt").send());
      assertThat(purged.bodyAsJsonObject().getLong("deleted")).isEqualTo(1);
      assertThat(cacheKeys(redis, prefix)).isEmpty();
      assertThat(post(a, body).getHeader("x-poncho-cache")).isEqualTo("miss");
    } finally {
      for (String key : keys(redis, prefix)) {
        await(redis.send(Request.cmd(Command.DEL).arg(key)));
      }
      redis.close();
    }
  }

  /** The response cache's entries; the usage records the calls leave under the same prefix are not. */
  private static List<String> cacheKeys(Redis redis, String prefix) {
    return keys(redis, prefix + "cache:");
  }

  private static List<String> keys(Redis redis, String prefix) {
    Response page = await(redis.send(Request.cmd(Command.KEYS).arg(prefix + "*")));
    List<String> keys = new ArrayList<>();
    page.forEach(k -> keys.add(k.toString()));
    return keys;
  }

  @Test
  void aRedisThatNeverAnswersStillLetsEveryRequestThrough() throws IOException {
    try (ServerSocket silent = new ServerSocket(0);
         TestServer server = TestServer.start(config("redis://127.0.0.1:" + silent.getLocalPort(), "poncho-test:",
             "300ms"))) {
      JsonObject body = request("redis hangs");
      for (int i = 0; i < 3; i++) {
        HttpResponse<Buffer> response = post(server, body);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.getHeader("x-poncho-cache")).isEqualTo("miss");
      }
      assertThat(upstream.count()).isEqualTo(3);
    }
  }

  @Test
  void whenRedisDiesRequestsAreServedAsMissesAndCounted() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Process redisServer = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    try {
      Redis probe = Redis.createClient(clientVertx, "redis://127.0.0.1:" + port);
      await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
          .until(() -> "PONG".equals(await(probe.send(Request.cmd(Command.PING))).toString()));
      probe.close();
      try (TestServer server = TestServer.start(config("redis://127.0.0.1:" + port, "poncho-test:", "300ms"))) {
        JsonObject body = request("redis goes away");
        assertThat(post(server, body).getHeader("x-poncho-cache")).isEqualTo("miss");
        await().atMost(Duration.ofSeconds(5)).until(() -> "hit".equals(post(server, body).getHeader("x-poncho-cache")));

        redisServer.destroy();
        redisServer.waitFor();
        for (int i = 0; i < 3; i++) {
          HttpResponse<Buffer> response = post(server, body);
          assertThat(response.statusCode()).isEqualTo(200);
          assertThat(response.getHeader("x-poncho-cache")).isEqualTo("miss");
        }
        HttpResponse<Buffer> streamed = post(server, body.copy().put("stream", true));
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.bodyAsString()).endsWith("data: [DONE]\n\n");
        String scrape = await(server.webClient(clientVertx).get("/metrics").send()).bodyAsString();
        assertThat(Metrics.sum(scrape, "poncho_cache_errors_total", "backend=\"redis\"", "operation=\"read\""))
            .isGreaterThanOrEqualTo(4);
        assertThat(await(server.webClient(clientVertx).delete("/api/v1/cache").send()).statusCode()).isEqualTo(503);
      }
    } finally {
      redisServer.destroyForcibly();
    }
  }
}

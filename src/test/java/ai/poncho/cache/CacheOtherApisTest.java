package ai.poncho.cache;

import static ai.poncho.testing.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Anthropic Messages and OpenAI Responses endpoints go through the same dispatch path, so the same cache. */
class CacheOtherApisTest {

  private static FakeUpstream upstream;
  private static TestServer server;
  private static Vertx clientVertx;
  private static WebClient client;

  @BeforeAll
  static void start() {
    upstream = FakeUpstream.start();
    upstream.always(new CachingUpstream().responder());
    JsonObject config = TestServer.config().put("cache", new JsonObject().put("enabled", true));
    config.getJsonObject("models").put("gpt", new JsonObject().put("provider", "openai").put("api_key", "sk-test-1")
        .put("base_url", upstream.baseUrl() + "/v1").put("max_retries", 0)
        .put("circuit_breaker", new JsonObject().put("enabled", false)));
    server = TestServer.start(config);
    clientVertx = Vertx.vertx();
    client = server.webClient(clientVertx);
  }

  @AfterAll
  static void stop() {
    await(clientVertx.close());
    server.close();
    upstream.close();
  }

  @BeforeEach
  void reset() {
    upstream.reset();
  }

  private static HttpResponse<Buffer> post(String path, JsonObject body) {
    return await(client.post(path).putHeader("anthropic-version", "2023-06-01").sendJsonObject(body));
  }

  @Test
  void anthropicMessagesAreCachedAndReplayedAsTheirOwnStream() {
    JsonObject body = new JsonObject().put("model", "gpt").put("max_tokens", 256).put("temperature", 0)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "bonjour")));
    HttpResponse<Buffer> first = post("/v1/messages", body);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.getHeader("x-poncho-cache")).isEqualTo("miss");
    HttpResponse<Buffer> second = post("/v1/messages", body);
    assertThat(second.getHeader("x-poncho-cache")).isEqualTo("hit");
    assertThat(second.bodyAsJsonObject().getJsonArray("content").getJsonObject(0).getString("text"))
        .isEqualTo(first.bodyAsJsonObject().getJsonArray("content").getJsonObject(0).getString("text"));
    HttpResponse<Buffer> streamed = post("/v1/messages", body.copy().put("stream", true));
    assertThat(streamed.getHeader("x-poncho-cache")).isEqualTo("hit");
    assertThat(streamed.bodyAsString()).contains("event: message_stop");
    assertThat(upstream.count()).isEqualTo(1);
  }

  @Test
  void responsesAreCachedToo() {
    JsonObject body = new JsonObject().put("model", "gpt").put("temperature", 0).put("input", "hola");
    assertThat(post("/v1/responses", body).getHeader("x-poncho-cache")).isEqualTo("miss");
    assertThat(post("/v1/responses", body).getHeader("x-poncho-cache")).isEqualTo("hit");
    HttpResponse<Buffer> streamed = post("/v1/responses", body.copy().put("stream", true));
    assertThat(streamed.getHeader("x-poncho-cache")).isEqualTo("hit");
    assertThat(streamed.bodyAsString()).contains("response.completed");
    assertThat(upstream.count()).isEqualTo(1);
  }
}

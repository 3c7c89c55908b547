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
  private static FakeUpstream vectors;
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
    vectors = FakeUpstream.start();
    vectors.always(FakeUpstream.json(200, new JsonObject().put("object", "list").put("model", "text-embedding-3-small")
        .put("data", new JsonArray()
            .add(new JsonObject().put("object", "embedding").put("index", 0).put("embedding", new JsonArray().add(0.5).add(-0.25)))
            .add(new JsonObject().put("object", "embedding").put("index", 1).put("embedding", new JsonArray().add(1.0).add(0.0))))
        .put("usage", new JsonObject().put("prompt_tokens", 4).put("total_tokens", 4))));
    config.getJsonObject("models").put("vectors", new JsonObject().put("provider", "openai").put("type", "embedding")
        .put("model_name", "text-embedding-3-small").put("api_key", "sk-test-2")
        .put("base_url", vectors.baseUrl() + "/v1").put("max_retries", 0));
    server = TestServer.start(config);
    clientVertx = Vertx.vertx();
    client = server.webClient(clientVertx);
  }

  @AfterAll
  static void stop() {
    await(clientVertx.close());
    server.close();
    upstream.close();
    vectors.close();
  }

  @BeforeEach
  void reset() {
    upstream.reset();
    vectors.reset();
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

  @Test
  void embeddingsAreCachedWhateverTheirEncoding() {
    JsonObject body = new JsonObject().put("model", "vectors").put("input", new JsonArray().add("alpha").add("beta"));
    HttpResponse<Buffer> first = post("/v1/embeddings", body);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.getHeader("x-poncho-cache")).isEqualTo("miss");
    HttpResponse<Buffer> second = post("/v1/embeddings", body.copy().put("user", "someone else"));
    assertThat(second.getHeader("x-poncho-cache")).isEqualTo("hit");
    assertThat(second.getHeader("x-poncho-cost-usd")).isEqualTo("0");
    assertThat(second.bodyAsJsonObject().getJsonArray("data")).isEqualTo(first.bodyAsJsonObject().getJsonArray("data"));
    assertThat(second.bodyAsJsonObject().getString("model")).isEqualTo("vectors");
    assertThat(second.bodyAsJsonObject().getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(4);
    HttpResponse<Buffer> base64 = post("/v1/embeddings", body.copy().put("encoding_format", "base64"));
    assertThat(base64.getHeader("x-poncho-cache")).isEqualTo("hit");
    assertThat(base64.bodyAsJsonObject().getJsonArray("data").getJsonObject(0).getString("embedding"))
        .isEqualTo("AAAAPwAAgL4=");
    assertThat(vectors.count()).isEqualTo(1);

    JsonObject other = body.copy().put("input", new JsonArray().add("gamma").add("delta"));
    assertThat(post("/v1/embeddings", other).getHeader("x-poncho-cache")).isEqualTo("miss");
    assertThat(post("/v1/embeddings", other.copy().put("dimensions", 2)).getHeader("x-poncho-cache")).isEqualTo("miss");
    assertThat(vectors.count()).isEqualTo(3);
    JsonObject unstored = body.copy().put("input", new JsonArray().add("never").add("kept"));
    assertThat(await(client.post("/v1/embeddings").putHeader("Cache-Control", "no-store").sendJsonObject(unstored))
        .getHeader("x-poncho-cache")).isEqualTo("miss");
    assertThat(post("/v1/embeddings", unstored).getHeader("x-poncho-cache")).isEqualTo("miss");
    assertThat(vectors.count()).isEqualTo(5);
  }
}

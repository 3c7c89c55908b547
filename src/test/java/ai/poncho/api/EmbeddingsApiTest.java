package ai.poncho.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.Metrics;
import ai.poncho.testing.TestServer;
import ai.poncho.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/embeddings}: OpenAI's shape and validation, the mock's deterministic vectors, the
 * OpenAI-compatible providers (OpenAI, Z.AI, Ollama) over a fake upstream, retries and fallbacks on the
 * dispatch path, model types, metrics, and the WebSocket API refusing an embedding model for chat.
 */
class EmbeddingsApiTest {

  private static FakeUpstream upstream;
  private static TestServer server;
  private static Vertx vertx;
  private static WebClient client;

  @BeforeAll
  static void start() {
    upstream = FakeUpstream.start();
    JsonObject config = TestServer.config();
    JsonObject models = config.getJsonObject("models");
    models.put("vectors", new JsonObject().put("provider", "mock").put("type", "embedding").put("dimensions", 16));
    models.put("default-vectors", new JsonObject().put("provider", "mock").put("type", "embedding"));
    models.put("zai-embed", new JsonObject().put("provider", "zai").put("type", "embedding")
        .put("model_name", "embedding-3").put("api_key", "zai-test-key-0123")
        .put("base_url", upstream.baseUrl() + "/api/paas/v4").put("max_retries", 1)
        .put("retry_initial_backoff", "1ms").put("retry_max_backoff", "2ms"));
    models.put("ollama-embed", new JsonObject().put("provider", "ollama").put("type", "embedding")
        .put("model_name", "nomic-embed-text").put("base_url", upstream.baseUrl() + "/v1").put("max_retries", 0)
        .put("fallbacks", new JsonArray().add("vectors")));
    models.put("broken-vectors", new JsonObject().put("provider", "mock").put("type", "embedding")
        .put("custom_params", new JsonObject().put("mock_error_status", 503)));
    server = TestServer.start(config);
    vertx = Vertx.vertx();
    client = server.webClient(vertx);
  }

  @AfterAll
  static void stop() {
    TestServer.await(vertx.close());
    server.close();
    upstream.close();
  }

  @BeforeEach
  void reset() {
    upstream.reset();
  }

  private static HttpResponse<Buffer> embed(JsonObject body) {
    return TestServer.await(client.post("/v1/embeddings").sendJsonObject(body));
  }

  private static JsonObject error(HttpResponse<Buffer> response) {
    return response.bodyAsJsonObject().getJsonObject("error");
  }

  private static float[] decode(String base64) {
    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
    float[] vector = new float[bytes.remaining() / 4];
    for (int i = 0; i < vector.length; i++) {
      vector[i] = bytes.getFloat();
    }
    return vector;
  }

  @Test
  void mockVectorsAreDeterministicUnitVectorsInOpenAiShape() {
    JsonObject body = embed(new JsonObject().put("model", "vectors").put("input", new JsonArray().add("alpha")
        .add("beta").add("alpha"))).bodyAsJsonObject();
    assertThat(body.getString("object")).isEqualTo("list");
    assertThat(body.getString("model")).isEqualTo("vectors");
    JsonArray data = body.getJsonArray("data");
    assertThat(data).hasSize(3);
    for (int i = 0; i < 3; i++) {
      JsonObject item = data.getJsonObject(i);
      assertThat(item.getString("object")).isEqualTo("embedding");
      assertThat(item.getInteger("index")).isEqualTo(i);
      JsonArray vector = item.getJsonArray("embedding");
      assertThat(vector).hasSize(16);
      double norm = 0;
      for (int d = 0; d < vector.size(); d++) {
        norm += vector.getDouble(d) * vector.getDouble(d);
      }
      assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }
    assertThat(data.getJsonObject(0).getJsonArray("embedding")).isEqualTo(data.getJsonObject(2).getJsonArray("embedding"));
    assertThat(data.getJsonObject(0).getJsonArray("embedding")).isNotEqualTo(data.getJsonObject(1).getJsonArray("embedding"));
    JsonObject usage = body.getJsonObject("usage");
    assertThat(usage.getInteger("prompt_tokens")).isPositive().isEqualTo(usage.getInteger("total_tokens"));

    JsonObject again = embed(new JsonObject().put("model", "vectors").put("input", "alpha")).bodyAsJsonObject();
    assertThat(again.getJsonArray("data").getJsonObject(0).getJsonArray("embedding"))
        .as("seeded by the text alone").isEqualTo(data.getJsonObject(0).getJsonArray("embedding"));
    assertThat(embed(new JsonObject().put("model", "default-vectors").put("input", "alpha")).bodyAsJsonObject()
        .getJsonArray("data").getJsonObject(0).getJsonArray("embedding")).hasSize(1536);
  }

  @Test
  void base64IsTheLittleEndianFloatsOfTheSameVector() {
    JsonObject floats = embed(new JsonObject().put("model", "vectors").put("input", "gamma")).bodyAsJsonObject();
    JsonObject base64 = embed(new JsonObject().put("model", "vectors").put("input", "gamma")
        .put("encoding_format", "base64")).bodyAsJsonObject();
    float[] decoded = decode(base64.getJsonArray("data").getJsonObject(0).getString("embedding"));
    JsonArray expected = floats.getJsonArray("data").getJsonObject(0).getJsonArray("embedding");
    assertThat(decoded).hasSize(expected.size());
    for (int i = 0; i < decoded.length; i++) {
      assertThat(decoded[i]).isEqualTo(expected.getFloat(i));
    }
  }

  @Test
  void dimensionsAndTokenArraysAreAccepted() {
    JsonObject body = embed(new JsonObject().put("model", "vectors").put("dimensions", 4)
        .put("input", new JsonArray().add(new JsonArray().add(1).add(2).add(3)).add(new JsonArray().add(9))))
        .bodyAsJsonObject();
    assertThat(body.getJsonArray("data")).hasSize(2);
    assertThat(body.getJsonArray("data").getJsonObject(0).getJsonArray("embedding")).hasSize(4);
    assertThat(body.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(4);
    JsonObject single = embed(new JsonObject().put("model", "vectors").put("input", new JsonArray().add(5).add(6)))
        .bodyAsJsonObject();
    assertThat(single.getJsonArray("data")).hasSize(1);
    // As OpenAI's, dimensions only shortens: more than the model makes is a 400 naming the field.
    HttpResponse<Buffer> tooMany = embed(new JsonObject().put("model", "vectors").put("dimensions", 17)
        .put("input", "x"));
    assertThat(tooMany.statusCode()).isEqualTo(400);
    assertThat(error(tooMany).getString("param")).isEqualTo("dimensions");
    assertThat(error(tooMany).getString("message")).contains("at most 16");
  }

  @Test
  void badRequestsGetOpenAiErrors() {
    HttpResponse<Buffer> missing = embed(new JsonObject().put("model", "vectors"));
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(error(missing).getString("param")).isEqualTo("input");
    assertThat(error(missing).getString("type")).isEqualTo("invalid_request_error");
    assertThat(embed(new JsonObject().put("model", "vectors").put("input", "")).statusCode()).isEqualTo(400);
    assertThat(embed(new JsonObject().put("model", "vectors").put("input", new JsonArray())).statusCode())
        .isEqualTo(400);
    assertThat(error(embed(new JsonObject().put("model", "vectors").put("input", new JsonArray().add("a").add(3))))
        .getString("param")).isEqualTo("input[1]");
    JsonArray tooMany = new JsonArray();
    for (int i = 0; i <= 2048; i++) {
      tooMany.add("x" + i);
    }
    HttpResponse<Buffer> batch = embed(new JsonObject().put("model", "vectors").put("input", tooMany));
    assertThat(batch.statusCode()).isEqualTo(400);
    assertThat(error(batch).getString("message")).contains("2048");
    assertThat(error(embed(new JsonObject().put("model", "vectors").put("input", "a").put("encoding_format", "hex")))
        .getString("param")).isEqualTo("encoding_format");
    assertThat(error(embed(new JsonObject().put("model", "vectors").put("input", "a").put("dimensions", 0)))
        .getString("param")).isEqualTo("dimensions");
    HttpResponse<Buffer> unknown = embed(new JsonObject().put("model", "nope").put("input", "a"));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(error(unknown).getString("code")).isEqualTo("model_not_found");
  }

  @Test
  void modelTypesAreEnforcedBothWays() {
    HttpResponse<Buffer> chatModel = embed(new JsonObject().put("model", "mock").put("input", "a"));
    assertThat(chatModel.statusCode()).isEqualTo(400);
    assertThat(error(chatModel).getString("code")).isEqualTo("model_type_mismatch");
    assertThat(error(chatModel).getString("message")).contains("'mock' is a chat model");
    HttpResponse<Buffer> embeddingModel = TestServer.await(client.post("/v1/chat/completions")
        .sendJsonObject(new JsonObject().put("model", "vectors").put("messages", new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", "hi")))));
    assertThat(embeddingModel.statusCode()).isEqualTo(400);
    assertThat(error(embeddingModel).getString("code")).isEqualTo("model_type_mismatch");
  }

  @Test
  void webSocketChatRefusesAnEmbeddingModel() {
    WsClient ws = WsClient.connect(vertx, server.port());
    ws.send(new JsonObject().put("type", "chat").put("id", "e1").put("request", new JsonObject()
        .put("model", "vectors").put("messages", new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", "hi")))));
    JsonObject error = ws.awaitEnd("e1");
    assertThat(error.getString("type")).isEqualTo("error");
    assertThat(error.getJsonObject("error").getString("code")).isEqualTo("model_type_mismatch");
    ws.close();
  }

  @Test
  void zaiEmbeddingsAreCalledAndRetried() {
    upstream.then(FakeUpstream.json(503, new JsonObject().put("error", new JsonObject().put("message", "busy"))));
    upstream.then(FakeUpstream.json(200, new JsonObject().put("object", "list").put("model", "embedding-3")
        .put("data", new JsonArray()
            .add(new JsonObject().put("object", "embedding").put("index", 1).put("embedding", new JsonArray().add(0.5)))
            .add(new JsonObject().put("object", "embedding").put("index", 0).put("embedding", new JsonArray().add(0.25))))
        .put("usage", new JsonObject().put("prompt_tokens", 12).put("total_tokens", 12))));
    HttpResponse<Buffer> response = embed(new JsonObject().put("model", "zai-embed").put("dimensions", 512)
        .put("user", "u-7").put("input", new JsonArray().add("first").add("second")));
    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getString("model")).isEqualTo("zai-embed");
    assertThat(body.getJsonArray("data").getJsonObject(0).getJsonArray("embedding")).containsExactly(0.25);
    assertThat(body.getJsonArray("data").getJsonObject(1).getJsonArray("embedding")).containsExactly(0.5);
    assertThat(body.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(12);
    assertThat(upstream.received()).hasSize(2);
    FakeUpstream.Received sent = upstream.received().get(1);
    assertThat(sent.path()).isEqualTo("/api/paas/v4/embeddings");
    assertThat(sent.headers().get("authorization")).isEqualTo("Bearer zai-test-key-0123");
    assertThat(sent.json()).isEqualTo(new JsonObject().put("model", "embedding-3")
        .put("input", new JsonArray().add("first").add("second")).put("encoding_format", "float")
        .put("dimensions", 512).put("user", "u-7"));
  }

  @Test
  void upstreamErrorsAndFallbacks() {
    upstream.then(FakeUpstream.json(401, new JsonObject().put("error", "unauthorized")));
    HttpResponse<Buffer> unauthorized = embed(new JsonObject().put("model", "zai-embed").put("input", "x"));
    assertThat(unauthorized.statusCode()).isEqualTo(401);
    assertThat(error(unauthorized).getString("type")).isEqualTo("authentication_error");

    upstream.then(FakeUpstream.json(500, new JsonObject().put("error", "model crashed")));
    HttpResponse<Buffer> fellBack = embed(new JsonObject().put("model", "ollama-embed").put("input", "x"));
    assertThat(fellBack.statusCode()).isEqualTo(200);
    assertThat(fellBack.getHeader("x-poncho-model")).isEqualTo("vectors");
    assertThat(fellBack.bodyAsJsonObject().getString("model")).isEqualTo("vectors");
    assertThat(upstream.received().get(1).path()).isEqualTo("/v1/embeddings");

    FakeUpstream.Responder noVectors = FakeUpstream.json(200, new JsonObject().put("object", "list")
        .put("data", new JsonArray()));
    upstream.then(noVectors).then(noVectors);
    HttpResponse<Buffer> malformed = embed(new JsonObject().put("model", "zai-embed").put("input", "x"));
    assertThat(malformed.statusCode()).isEqualTo(502);
    assertThat(error(malformed).getString("code")).isEqualTo("upstream_malformed_response");

    HttpResponse<Buffer> broken = embed(new JsonObject().put("model", "broken-vectors").put("input", "x"));
    assertThat(broken.statusCode()).isEqualTo(503);
  }

  @Test
  void metricsCountEmbeddingCalls() {
    String metric = "poncho_chat_requests_total";
    double before = Metrics.sum(TestServer.await(client.get("/metrics").send()).bodyAsString(), metric,
        "model=\"vectors\"", "status=\"200\"");
    embed(new JsonObject().put("model", "vectors").put("input", "metered"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Metrics.sum(
        TestServer.await(client.get("/metrics").send()).bodyAsString(), metric, "model=\"vectors\"",
        "status=\"200\"")).isEqualTo(before + 1));
  }
}

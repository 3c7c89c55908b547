package ai.poncho.cluster;

import static ai.poncho.testing.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.chat.Ids;
import ai.poncho.testing.JsonLogLines;
import ai.poncho.testing.Sse;
import ai.poncho.testing.TestServer;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.micrometer.backends.BackendRegistries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on a Hazelcast cluster over loopback: HTTP and prompt on one, dispatch and metrics on the
 * other. Requests, streams and errors cross the clustered bus as JSON, unchanged.
 */
@ExtendWith(VertxExtension.class)
class ClusteredBusTest {

  private static TestServer dispatchNode;
  private static TestServer httpNode;

  @TempDir
  static Path prompts;

  private static JsonObject node(String clusterName, String... verticles) {
    JsonObject config = TestServer.config().put("prompts", new JsonObject().put("dir", prompts.toString()));
    config.getJsonObject("models").put("vectors", new JsonObject().put("provider", "mock").put("type", "embedding")
        .put("dimensions", 8));
    config.put("cluster", new JsonObject().put("enabled", true).put("name", clusterName).put("host", "127.0.0.1")
        .put("members", new JsonArray().add("127.0.0.1")).put("verticles", new JsonArray(List.of(verticles))));
    config.getJsonObject("dispatch").put("stream_stall_timeout", "1s");
    config.getJsonObject("models").getJsonObject("mock").put("max_tokens", 1_000_000);
    // Only the metrics test calls it, so no other test's events reach its meters.
    config.getJsonObject("models").put("metered", new JsonObject().put("provider", "mock"));
    return config;
  }

  @BeforeAll
  static void startCluster() throws IOException {
    Files.writeString(prompts.resolve("greet.prompt"), "Hello {{name}}!");
    String name = Ids.random("poncho-test-");
    dispatchNode = TestServer.start(node(name, "dispatch", "metrics"));
    httpNode = TestServer.start(node(name, "http", "prompt"));
  }

  @AfterAll
  static void stopCluster() {
    httpNode.close();
    dispatchNode.close();
  }

  private static JsonObject request(String text) {
    return new JsonObject().put("model", "mock")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text)));
  }

  /**
   * Each meter is kept where its data is: the gateway overhead on the HTTP node (which subtracts the upstream
   * time the dispatch node reported over the bus), the GenAI meters on the node running the metrics verticle.
   */
  @Test
  void overheadAndGenAiMetersCrossTheClusteredBus(Vertx vertx) {
    WebClient client = httpNode.webClient(vertx);
    HttpResponse<Buffer> plain = await(client.post("/v1/chat/completions").sendJsonObject(request("metered")
        .put("model", "metered")));
    HttpResponse<Buffer> streamed = await(client.post("/v1/chat/completions").sendJsonObject(request("metered stream")
        .put("model", "metered").put("stream", true).put("stream_options", new JsonObject().put("include_usage", true))));
    List<JsonObject> chunks = Sse.json(streamed.bodyAsString());
    int prompt = plain.bodyAsJsonObject().getJsonObject("usage").getInteger("prompt_tokens")
        + chunks.get(chunks.size() - 1).getJsonObject("usage").getInteger("prompt_tokens");
    // Both calls' reported usage reaches the metrics verticle on the other node.
    await().atMost(Duration.ofSeconds(10)).until(() -> genAiInputTokens() == prompt);
    String scrape = await(client.get("/metrics").send()).bodyAsString();
    assertThat(ai.poncho.testing.Metrics.sum(scrape, "poncho_gateway_overhead_seconds_count", "stream=\"false\"",
        "source=\"upstream\"")).isGreaterThanOrEqualTo(1);
    assertThat(ai.poncho.testing.Metrics.sum(scrape, "poncho_gateway_overhead_seconds_count", "stream=\"true\"",
        "source=\"upstream\"")).isGreaterThanOrEqualTo(1);
  }

  private static double genAiInputTokens() {
    return BackendRegistries.getNow(dispatchNode.serverConfig().metrics().registryName())
        .find("gen_ai.client.token.usage").tag("gen_ai.token.type", "input").tag("gen_ai.response.model", "metered")
        .summaries().stream()
        .mapToDouble(io.micrometer.core.instrument.DistributionSummary::totalAmount).sum();
  }

  @Test
  void completionCrossesTheClusteredBus(Vertx vertx) {
    WebClient client = httpNode.webClient(vertx);
    HttpResponse<Buffer> response = await(client.post("/v1/chat/completions").sendJsonObject(request("remote")));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getJsonArray("choices").getJsonObject(0).getJsonObject("message")
        .getString("content")).isEqualTo("Mock reply to: remote");
    assertThat(response.bodyAsJsonObject().getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(4);
  }

  @Test
  void streamAndUsageCrossTheClusteredBus(Vertx vertx) {
    WebClient client = httpNode.webClient(vertx);
    JsonObject body = request("remote stream").put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true))
        .put("metadata", new JsonObject().put("mock_chunks", 40));
    HttpResponse<Buffer> response = await(client.post("/v1/chat/completions").sendJsonObject(body));
    assertThat(response.statusCode()).isEqualTo(200);
    List<JsonObject> chunks = Sse.json(response.bodyAsString());
    assertThat(Sse.data(response.bodyAsString())).last().isEqualTo("[DONE]");
    assertThat(Sse.content(chunks)).startsWith("Mock reply to: remote stream Mock");
    assertThat(chunks.get(chunks.size() - 1).getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(40);
  }

  @Test
  void embeddingsMessagesAndResponsesCrossTheClusteredBus(Vertx vertx) {
    WebClient client = httpNode.webClient(vertx);
    HttpResponse<Buffer> embeddings = await(client.post("/v1/embeddings").sendJsonObject(new JsonObject()
        .put("model", "vectors").put("input", new JsonArray().add("a").add(new JsonArray().add(1).add(2)))
        .put("encoding_format", "base64")));
    assertThat(embeddings.statusCode()).isEqualTo(200);
    assertThat(embeddings.bodyAsJsonObject().getJsonArray("data")).hasSize(2);
    assertThat(embeddings.bodyAsJsonObject().getJsonArray("data").getJsonObject(0).getString("embedding"))
        .hasSize(44);
    JsonObject messages = new JsonObject().put("model", "mock").put("max_tokens", 64).put("stream", true)
        .put("system", "Terse.").put("messages", new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", "remote messages"))
            .add(new JsonObject().put("role", "assistant").put("content", new JsonArray().add(new JsonObject()
                .put("type", "tool_use").put("id", "toolu_1").put("name", "f").put("input", new JsonObject()))))
            .add(new JsonObject().put("role", "user").put("content", new JsonArray()
                .add(new JsonObject().put("type", "tool_result").put("tool_use_id", "toolu_1").put("content", "no")
                    .put("is_error", true))
                .add(new JsonObject().put("type", "text").put("text", "again")))));
    String stream = await(client.post("/v1/messages").sendJsonObject(messages)).bodyAsString();
    assertThat(stream).contains("\"text\":\"Mock\"").endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    HttpResponse<Buffer> responses = await(client.post("/v1/responses").sendJsonObject(new JsonObject()
        .put("model", "mock").put("input", "remote responses")));
    assertThat(responses.bodyAsJsonObject().getJsonArray("output").getJsonObject(0).getJsonArray("content")
        .getJsonObject(0).getString("text")).isEqualTo("Mock reply to: remote responses");
  }

  @Test
  void errorsKeepTheirMeaningAcrossNodes(Vertx vertx) {
    WebClient client = httpNode.webClient(vertx);
    HttpResponse<Buffer> unknown = await(client.post("/v1/chat/completions")
        .sendJsonObject(request("x").put("model", "nope")));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("model_not_found");
    HttpResponse<Buffer> midStream = await(client.post("/v1/chat/completions").sendJsonObject(request("x")
        .put("stream", true).put("metadata", new JsonObject().put("mock_fail_after_chunks", 1))));
    List<String> data = Sse.data(midStream.bodyAsString());
    assertThat(data).doesNotContain("[DONE]");
    assertThat(new JsonObject(data.get(data.size() - 1)).getJsonObject("error").getString("type"))
        .isEqualTo("server_error");
  }

  @Test
  void promptRunsRenderOnOneNodeAndDispatchOnTheOther(Vertx vertx) {
    WebClient client = httpNode.webClient(vertx);
    JsonObject input = new JsonObject().put("input", new JsonObject().put("name", "Ana"));
    HttpResponse<Buffer> response = await(client.post("/api/v1/prompts/greet/execute").sendJsonObject(input));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getJsonArray("choices").getJsonObject(0).getJsonObject("message")
        .getString("content")).isEqualTo("Mock reply to: Hello Ana!");
    HttpResponse<Buffer> streamed = await(client.post("/api/v1/prompts/greet/execute")
        .sendJsonObject(input.copy().put("stream", true)));
    assertThat(Sse.data(streamed.bodyAsString())).last().isEqualTo("[DONE]");
    assertThat(Sse.content(Sse.json(streamed.bodyAsString()))).isEqualTo("Mock reply to: Hello Ana!");
  }

  @Test
  void readinessSeesVerticlesOnTheOtherNode(Vertx vertx) {
    HttpResponse<Buffer> ready = await(httpNode.webClient(vertx).get("/health/ready").send());
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getString("status")).isEqualTo("UP");
    JsonObject checks = new JsonObject();
    ready.bodyAsJsonObject().getJsonArray("checks").stream().map(JsonObject.class::cast)
        .forEach(check -> checks.put(check.getString("id"), check));
    assertThat(checks.fieldNames()).contains("dispatch", "prompt", "metrics", "prompts", "providers", "cluster");
    JsonObject cluster = checks.getJsonObject("cluster");
    assertThat(cluster.getString("status")).isEqualTo("UP");
    assertThat(cluster.getJsonObject("data").getInteger("size")).isEqualTo(2);
    assertThat(cluster.getJsonObject("data").getJsonArray("members")).hasSize(2)
        .contains(cluster.getJsonObject("data").getString("node"));
    // The dispatch node answers for the models: this node runs no dispatcher.
    assertThat(checks.getJsonObject("providers").getJsonObject("data").getJsonObject("deployments")
        .getString("mock")).isEqualTo("CLOSED");
  }

  @Test
  void theDispatchNodesLogLinesCarryTheRequestOfTheHttpNode(Vertx vertx) {
    try (JsonLogLines log = JsonLogLines.capture("ai.poncho")) {
      HttpResponse<Buffer> failed = await(httpNode.webClient(vertx).post("/v1/chat/completions")
          .putHeader("x-request-id", "req-cross-node-1")
          .sendJsonObject(request("fail").put("metadata", new JsonObject().put("mock_error_status", "503"))));
      assertThat(failed.statusCode()).isEqualTo(503);
      // Only the dispatch node runs DispatchVerticle: its line crossed the clustered bus with the request.
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> log.lines().stream()
          .anyMatch(line -> line.getString("logger").equals("ai.poncho.model.DispatchVerticle")
              && "req-cross-node-1".equals(line.getString("request_id"))));
      assertThat(log.lines()).filteredOn(line -> line.getString("logger").equals("ai.poncho.model.DispatchVerticle")
              && line.getString("message").contains("req-cross-node-1"))
          .allSatisfy(line -> {
            assertThat(line.getString("request_id")).isEqualTo("req-cross-node-1");
            assertThat(line.getString("model")).isEqualTo("mock");
          });
    }
  }

  @Test
  void aStalledStreamEndsWithStreamStalledAcrossNodes(Vertx vertx) {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(httpNode.port()).setReceiveBufferSize(16 * 1024));
    HttpClientResponse response = await(client.request(new RequestOptions().setMethod(HttpMethod.POST)
            .setURI("/v1/chat/completions").putHeader("content-type", "application/json"))
        .compose(r -> r.send(request("stall across nodes").put("stream", true)
            .put("metadata", new JsonObject().put("mock_chunks", 100_000)).encode()))
        .map(HttpClientResponse::pause));
    assertThat(response.statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
        .until(() -> cancelledOnDispatchNode() >= 1.0);

    Buffer body = Buffer.buffer();
    response.handler(body::appendBuffer);
    response.resume();
    await(response.end());
    List<String> data = Sse.data(body.toString());
    assertThat(data).doesNotContain("[DONE]");
    assertThat(data.stream().filter(d -> d.startsWith("{\"error\"")).count()).isEqualTo(1);
    assertThat(new JsonObject(data.get(data.size() - 1)).getJsonObject("error").getString("code"))
        .isEqualTo("stream_stalled");
  }

  /** The dispatch node serves no HTTP: its mock counter is read from its own registry. */
  private static double cancelledOnDispatchNode() {
    Counter counter = BackendRegistries.getNow(dispatchNode.serverConfig().metrics().registryName())
        .find("poncho.mock.streams.cancelled").tag("model", "mock").counter();
    return counter == null ? 0 : counter.count();
  }
}

package ai.poncho.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.Metrics;
import ai.poncho.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/messages} over real HTTP: the Anthropic request and response shapes, the exact SSE event
 * sequence with pings, Anthropic-shaped errors, count_tokens, and the round trip through an Anthropic
 * upstream (ids, stop reasons, usage, is_error) and an OpenAI-family one (translation both ways).
 */
class AnthropicMessagesApiTest {

  private static FakeUpstream anthropic;
  private static FakeUpstream openai;
  private static TestServer server;
  private static Vertx vertx;
  private static WebClient client;

  @BeforeAll
  static void start() {
    anthropic = FakeUpstream.start();
    openai = FakeUpstream.start();
    JsonObject config = TestServer.config();
    config.put("api", new JsonObject().put("ping_interval", "50ms"));
    config.getJsonObject("http").put("max_body_size", "4KB");
    JsonObject models = config.getJsonObject("models");
    models.put("claude", new JsonObject().put("provider", "anthropic").put("model_name", "claude-sonnet-4-5")
        .put("api_key", "sk-ant-test-0123456789").put("base_url", anthropic.baseUrl()).put("max_retries", 0)
        .put("supports", new JsonObject().put("vision", true)));
    models.put("gpt", new JsonObject().put("provider", "openai").put("model_name", "gpt-4o")
        .put("api_key", "sk-test-0123456789").put("base_url", openai.baseUrl() + "/v1").put("max_retries", 0)
        .put("supports", new JsonObject().put("vision", true)));
    models.put("overloaded", new JsonObject().put("provider", "mock")
        .put("custom_params", new JsonObject().put("mock_error_status", 529)));
    models.put("slow", new JsonObject().put("provider", "mock")
        .put("custom_params", new JsonObject().put("mock_ttft_ms", 10).put("mock_chunk_delay_ms", 60)));
    models.put("vectors", new JsonObject().put("provider", "mock").put("type", "embedding"));
    server = TestServer.start(config);
    vertx = Vertx.vertx();
    client = server.webClient(vertx);
  }

  @AfterAll
  static void stop() {
    TestServer.await(vertx.close());
    server.close();
    anthropic.close();
    openai.close();
  }

  @BeforeEach
  void reset() {
    anthropic.reset();
    openai.reset();
  }

  private static HttpResponse<Buffer> post(String path, JsonObject body) {
    return TestServer.await(client.post(path).putHeader("anthropic-version", "2023-06-01")
        .putHeader("x-api-key", "any").sendJsonObject(body));
  }

  private static JsonObject request(String model, String text) {
    return new JsonObject().put("model", model).put("max_tokens", 256)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text)));
  }

  /** Event name and data of each SSE event. */
  private static List<JsonObject> events(String body) {
    List<JsonObject> events = new ArrayList<>();
    for (String block : body.split("\n\n")) {
      String name = null;
      String data = null;
      for (String line : block.split("\n")) {
        if (line.startsWith("event: ")) {
          name = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = line.substring(6);
        }
      }
      if (data != null) {
        JsonObject json = new JsonObject(data);
        assertThat(json.getString("type")).as("event name matches data type").isEqualTo(name);
        events.add(json);
      }
    }
    return events;
  }

  private static List<String> types(List<JsonObject> events) {
    return events.stream().map(e -> e.getString("type")).filter(t -> !t.equals("ping")).toList();
  }

  @Test
  void mockAnswersAsAnAnthropicMessage() {
    HttpResponse<Buffer> response = post("/v1/messages", request("mock", "hello claude")
        .put("system", new JsonArray().add(new JsonObject().put("type", "text").put("text", "Be brief."))));
    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject message = response.bodyAsJsonObject();
    assertThat(message.getString("id")).startsWith("msg_");
    assertThat(message.getString("type")).isEqualTo("message");
    assertThat(message.getString("role")).isEqualTo("assistant");
    assertThat(message.getString("model")).isEqualTo("mock");
    assertThat(message.getJsonArray("content")).containsExactly(new JsonObject().put("type", "text")
        .put("text", "Mock reply to: hello claude"));
    assertThat(message.getString("stop_reason")).isEqualTo("end_turn");
    assertThat(message.containsKey("stop_sequence")).isTrue();
    assertThat(message.getJsonObject("usage").getInteger("input_tokens")).isPositive();
    assertThat(message.getJsonObject("usage").getInteger("output_tokens")).isEqualTo(5);
  }

  @Test
  void maxTokensCutIsReportedAsMaxTokens() {
    JsonObject message = post("/v1/messages", request("mock", "one two three four").put("max_tokens", 2))
        .bodyAsJsonObject();
    assertThat(message.getString("stop_reason")).isEqualTo("max_tokens");
    assertThat(message.getJsonArray("content").getJsonObject(0).getString("text")).isEqualTo("Mock reply");
  }

  @Test
  void aStopSequenceEndsTheMockReplyAndIsReported() {
    JsonObject message = post("/v1/messages", request("mock", "one two three four")
        .put("stop_sequences", new JsonArray().add("zzz").add("three"))).bodyAsJsonObject();
    assertThat(message.getString("stop_reason")).isEqualTo("stop_sequence");
    assertThat(message.getString("stop_sequence")).isEqualTo("three");
    assertThat(message.getJsonArray("content").getJsonObject(0).getString("text")).isEqualTo("Mock reply to: one two");
    String stream = post("/v1/messages", request("mock", "one two three four").put("stream", true)
        .put("stop_sequences", new JsonArray().add("three"))).bodyAsString();
    JsonObject delta = events(stream).stream().filter(e -> e.getString("type").equals("message_delta")).findFirst()
        .orElseThrow().getJsonObject("delta");
    assertThat(delta.getString("stop_reason")).isEqualTo("stop_sequence");
    assertThat(delta.getString("stop_sequence")).isEqualTo("three");
    assertThat(events(stream).stream().filter(e -> e.getString("type").equals("content_block_delta"))
        .map(e -> e.getJsonObject("delta").getString("text")).reduce("", String::concat))
        .isEqualTo("Mock reply to: one two");
  }

  @Test
  void streamHasTheExactEventSequenceWithPings() {
    HttpResponse<Buffer> response = post("/v1/messages", request("slow", "stream me please").put("stream", true));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("content-type")).startsWith("text/event-stream");
    List<JsonObject> events = events(response.bodyAsString());
    List<String> types = types(events);
    assertThat(types.get(0)).isEqualTo("message_start");
    assertThat(types.get(1)).isEqualTo("content_block_start");
    assertThat(types.subList(2, types.size() - 3)).containsOnly("content_block_delta");
    assertThat(types.subList(types.size() - 3, types.size()))
        .containsExactly("content_block_stop", "message_delta", "message_stop");
    assertThat(events.get(1).getString("type")).as("a ping right after message_start").isEqualTo("ping");
    assertThat(events.stream().filter(e -> e.getString("type").equals("ping")).count())
        .as("keep-alive pings while the slow stream runs").isGreaterThan(1);
    JsonObject start = events.get(0).getJsonObject("message");
    assertThat(start.getString("id")).startsWith("msg_");
    assertThat(start.getJsonArray("content")).isEmpty();
    assertThat(start.getValue("stop_reason")).isNull();
    StringBuilder text = new StringBuilder();
    events.stream().filter(e -> e.getString("type").equals("content_block_delta")).forEach(e -> {
      assertThat(e.getInteger("index")).isZero();
      assertThat(e.getJsonObject("delta").getString("type")).isEqualTo("text_delta");
      text.append(e.getJsonObject("delta").getString("text"));
    });
    assertThat(text.toString()).isEqualTo("Mock reply to: stream me please");
    JsonObject delta = events.stream().filter(e -> e.getString("type").equals("message_delta")).findFirst()
        .orElseThrow();
    assertThat(delta.getJsonObject("delta").getString("stop_reason")).isEqualTo("end_turn");
    assertThat(delta.getJsonObject("usage").getInteger("output_tokens")).isEqualTo(6);
    assertThat(delta.getJsonObject("usage").getInteger("input_tokens")).isPositive();
  }

  @Test
  void toolUseStreamsAsInputJsonDeltas() {
    JsonObject body = request("mock", "weather in Lima").put("stream", true)
        .put("tools", new JsonArray().add(new JsonObject().put("name", "get_weather")
            .put("input_schema", new JsonObject().put("type", "object"))))
        .put("tool_choice", new JsonObject().put("type", "tool").put("name", "get_weather"));
    String raw = post("/v1/messages", body).bodyAsString();
    List<JsonObject> events = events(raw);
    assertThat(raw).contains("content_block_start");
    JsonObject block = events.stream().filter(e -> e.getString("type").equals("content_block_start")).findFirst()
        .orElseThrow().getJsonObject("content_block");
    assertThat(block.getString("type")).isEqualTo("tool_use");
    assertThat(block.getString("name")).isEqualTo("get_weather");
    assertThat(block.getJsonObject("input")).isEmpty();
    StringBuilder json = new StringBuilder();
    events.stream().filter(e -> e.getString("type").equals("content_block_delta")).forEach(e -> {
      assertThat(e.getJsonObject("delta").getString("type")).isEqualTo("input_json_delta");
      json.append(e.getJsonObject("delta").getString("partial_json"));
    });
    assertThat(new JsonObject(json.toString()).getString("query")).isEqualTo("weather in Lima");
    assertThat(events.stream().filter(e -> e.getString("type").equals("message_delta")).findFirst().orElseThrow()
        .getJsonObject("delta").getString("stop_reason")).isEqualTo("tool_use");
  }

  @Test
  void errorsHaveAnthropicShapeAndStatus() {
    HttpResponse<Buffer> notFound = post("/v1/messages", request("no-such-model", "x"));
    assertThat(notFound.statusCode()).isEqualTo(404);
    JsonObject body = notFound.bodyAsJsonObject();
    assertThat(body.getString("type")).isEqualTo("error");
    assertThat(body.getJsonObject("error").getString("type")).isEqualTo("not_found_error");
    assertThat(body.getJsonObject("error").getString("message")).contains("no-such-model");
    assertThat(body.getString("request_id")).isEqualTo(notFound.getHeader("request-id"));

    HttpResponse<Buffer> noMaxTokens = post("/v1/messages", request("mock", "x").put("max_tokens", null));
    assertThat(noMaxTokens.statusCode()).isEqualTo(400);
    assertThat(noMaxTokens.bodyAsJsonObject().getJsonObject("error").getString("type"))
        .isEqualTo("invalid_request_error");
    assertThat(noMaxTokens.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("max_tokens");

    HttpResponse<Buffer> overloaded = post("/v1/messages", request("overloaded", "x"));
    assertThat(overloaded.statusCode()).isEqualTo(529);
    assertThat(overloaded.bodyAsJsonObject().getJsonObject("error").getString("type")).isEqualTo("overloaded_error");

    HttpResponse<Buffer> embeddingModel = post("/v1/messages", request("vectors", "x"));
    assertThat(embeddingModel.statusCode()).isEqualTo(400);
    assertThat(embeddingModel.bodyAsJsonObject().getJsonObject("error").getString("message"))
        .contains("embedding model");

    HttpResponse<Buffer> badJson = TestServer.await(client.post("/v1/messages")
        .putHeader("content-type", "application/json").sendBuffer(Buffer.buffer("{nope")));
    assertThat(badJson.statusCode()).isEqualTo(400);
    assertThat(badJson.bodyAsJsonObject().getString("type")).isEqualTo("error");

    HttpResponse<Buffer> tooLarge = TestServer.await(client.post("/v1/messages")
        .putHeader("content-type", "application/json").sendBuffer(Buffer.buffer("{\"x\":\"" + "a".repeat(5000) + "\"}")));
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(tooLarge.bodyAsJsonObject().getJsonObject("error").getString("type")).isEqualTo("request_too_large");

    HttpResponse<Buffer> notJson = TestServer.await(client.post("/v1/messages")
        .putHeader("content-type", "text/plain").sendBuffer(Buffer.buffer("hi")));
    assertThat(notJson.statusCode()).isEqualTo(415);
    assertThat(notJson.bodyAsJsonObject().getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");

    HttpResponse<Buffer> unauthorized = post("/v1/messages", request("mock", "x")
        .put("metadata", new JsonObject().put("mock_error_status", 401)));
    assertThat(unauthorized.statusCode()).isEqualTo(401);
    assertThat(unauthorized.bodyAsJsonObject().getJsonObject("error").getString("type"))
        .isEqualTo("authentication_error");
    HttpResponse<Buffer> limited = post("/v1/messages", request("mock", "x")
        .put("metadata", new JsonObject().put("mock_error_status", 429)));
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.bodyAsJsonObject().getJsonObject("error").getString("type")).isEqualTo("rate_limit_error");

    HttpResponse<Buffer> wrongMethod = TestServer.await(client.get("/v1/messages").send());
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.bodyAsJsonObject().getString("type")).isEqualTo("error");
    assertThat(wrongMethod.bodyAsJsonObject().getJsonObject("error").getString("type"))
        .isEqualTo("invalid_request_error");
  }

  @Test
  void failureMidStreamIsAnErrorEvent() {
    JsonObject body = request("mock", "a b c d e f").put("stream", true)
        .put("metadata", new JsonObject().put("user_id", "u-1").put("mock_fail_after_chunks", 2));
    List<JsonObject> events = events(post("/v1/messages", body).bodyAsString());
    JsonObject last = events.get(events.size() - 1);
    assertThat(last.getString("type")).isEqualTo("error");
    assertThat(last.getJsonObject("error").getString("type")).isEqualTo("api_error");
    assertThat(last.getJsonObject("error").getString("message")).contains("failed after 2 chunks");
    assertThat(types(events)).doesNotContain("message_stop");
  }

  @Test
  void countTokensEstimatesTheRequest() {
    JsonObject body = new JsonObject().put("model", "mock").put("system", "You are terse.")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "Hello, world")));
    HttpResponse<Buffer> response = post("/v1/messages/count_tokens", body);
    assertThat(response.statusCode()).isEqualTo(200);
    int small = response.bodyAsJsonObject().getInteger("input_tokens");
    assertThat(small).isBetween(8, 30);
    body.getJsonArray("messages").getJsonObject(0).put("content", "Hello, world ".repeat(100));
    assertThat(post("/v1/messages/count_tokens", body).bodyAsJsonObject().getInteger("input_tokens"))
        .isGreaterThan(small + 200);
    assertThat(post("/v1/messages/count_tokens", new JsonObject().put("model", "mock")).statusCode()).isEqualTo(400);
    HttpResponse<Buffer> unknown = post("/v1/messages/count_tokens", body.copy().put("model", "nope"));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.bodyAsJsonObject().getJsonObject("error").getString("type")).isEqualTo("not_found_error");
  }

  @Test
  void anthropicUpstreamRoundTripLosesNothing() {
    anthropic.then(FakeUpstream.json(200, new JsonObject().put("id", "msg_01XFDUDYJgAACzvnptvVoYEL")
        .put("type", "message").put("role", "assistant").put("model", "claude-sonnet-4-5")
        .put("content", new JsonArray().add(new JsonObject().put("type", "text").put("text", "Checking."))
            .add(new JsonObject().put("type", "tool_use").put("id", "toolu_01A09q90qw90lq917835lq9")
                .put("name", "get_weather").put("input", new JsonObject().put("city", "Quito"))))
        .put("stop_reason", "tool_use").put("stop_sequence", null)
        .put("usage", new JsonObject().put("input_tokens", 472).put("output_tokens", 91))));
    JsonObject body = new JsonObject().put("model", "claude").put("max_tokens", 300).put("top_k", 5)
        .put("system", "Use tools.").put("stop_sequences", new JsonArray().add("END"))
        .put("tools", new JsonArray().add(new JsonObject().put("name", "get_weather").put("description", "Weather")
            .put("input_schema", new JsonObject().put("type", "object"))))
        .put("tool_choice", new JsonObject().put("type", "any"))
        .put("messages", new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", "Weather?"))
            .add(new JsonObject().put("role", "assistant").put("content", new JsonArray()
                .add(new JsonObject().put("type", "tool_use").put("id", "toolu_prev").put("name", "get_weather")
                    .put("input", new JsonObject().put("city", "Lima")))))
            .add(new JsonObject().put("role", "user").put("content", new JsonArray()
                .add(new JsonObject().put("type", "tool_result").put("tool_use_id", "toolu_prev")
                    .put("content", "station offline").put("is_error", true))
                .add(new JsonObject().put("type", "image").put("source", new JsonObject().put("type", "base64")
                    .put("media_type", "image/png").put("data", "iVBORw0KGgo=")))
                .add(new JsonObject().put("type", "text").put("text", "Try Quito")))));
    JsonObject message = post("/v1/messages", body).bodyAsJsonObject();
    assertThat(message.getString("id")).as(message.encode()).isEqualTo("msg_01XFDUDYJgAACzvnptvVoYEL");
    assertThat(message.getString("stop_reason")).isEqualTo("tool_use");
    assertThat(message.getJsonObject("usage")).isEqualTo(new JsonObject().put("input_tokens", 472)
        .put("output_tokens", 91));
    JsonObject toolUse = message.getJsonArray("content").getJsonObject(1);
    assertThat(toolUse.getString("id")).isEqualTo("toolu_01A09q90qw90lq917835lq9");
    assertThat(toolUse.getJsonObject("input")).isEqualTo(new JsonObject().put("city", "Quito"));

    JsonObject sent = anthropic.received().get(0).json();
    assertThat(sent.getString("model")).isEqualTo("claude-sonnet-4-5");
    assertThat(sent.getInteger("max_tokens")).isEqualTo(300);
    assertThat(sent.getInteger("top_k")).isEqualTo(5);
    assertThat(sent.getString("system")).isEqualTo("Use tools.");
    assertThat(sent.getJsonArray("stop_sequences")).containsExactly("END");
    assertThat(sent.getJsonObject("tool_choice")).isEqualTo(new JsonObject().put("type", "any"));
    assertThat(sent.getJsonArray("tools").getJsonObject(0).getJsonObject("input_schema"))
        .isEqualTo(new JsonObject().put("type", "object"));
    JsonArray turns = sent.getJsonArray("messages");
    assertThat(turns.getJsonObject(1).getJsonArray("content").getJsonObject(0).getString("id"))
        .isEqualTo("toolu_prev");
    JsonArray last = turns.getJsonObject(2).getJsonArray("content");
    assertThat(last.getJsonObject(0)).isEqualTo(new JsonObject().put("type", "tool_result")
        .put("tool_use_id", "toolu_prev").put("content", "station offline").put("is_error", true));
    assertThat(last.getJsonObject(1).getJsonObject("source")).isEqualTo(new JsonObject().put("type", "base64")
        .put("media_type", "image/png").put("data", "iVBORw0KGgo="));
    assertThat(last.getJsonObject(2)).isEqualTo(new JsonObject().put("type", "text").put("text", "Try Quito"));
  }

  @Test
  void openAiUpstreamTranslatesBothWays() {
    openai.then(FakeUpstream.json(200, new JsonObject().put("id", "chatcmpl-1").put("object", "chat.completion")
        .put("created", 1).put("model", "gpt-4o").put("choices", new JsonArray().add(new JsonObject()
            .put("index", 0).put("finish_reason", "tool_calls").put("message", new JsonObject()
                .put("role", "assistant").put("content", null).put("tool_calls", new JsonArray()
                    .add(new JsonObject().put("id", "call_abc").put("type", "function").put("function",
                        new JsonObject().put("name", "lookup").put("arguments", "{\"q\":\"x\"}")))))))
        .put("usage", new JsonObject().put("prompt_tokens", 20).put("completion_tokens", 7)
            .put("total_tokens", 27))));
    JsonObject body = request("gpt", "Look it up").put("top_k", 3).put("temperature", 0.5)
        .put("metadata", new JsonObject().put("user_id", "user-9"))
        .put("tools", new JsonArray().add(new JsonObject().put("name", "lookup")
            .put("input_schema", new JsonObject().put("type", "object"))))
        .put("tool_choice", new JsonObject().put("type", "auto").put("disable_parallel_tool_use", true));
    JsonObject message = post("/v1/messages", body).bodyAsJsonObject();
    assertThat(message.getString("stop_reason")).as(message.encode()).isEqualTo("tool_use");
    assertThat(message.getJsonArray("content")).containsExactly(new JsonObject().put("type", "tool_use")
        .put("id", "call_abc").put("name", "lookup").put("input", new JsonObject().put("q", "x")));
    assertThat(message.getJsonObject("usage")).isEqualTo(new JsonObject().put("input_tokens", 20)
        .put("output_tokens", 7));
    JsonObject sent = openai.received().get(0).json();
    assertThat(openai.received().get(0).path()).isEqualTo("/v1/chat/completions");
    assertThat(sent.containsKey("top_k")).as("OpenAI refuses top_k").isFalse();
    assertThat(sent.getString("user")).isEqualTo("user-9");
    assertThat(sent.getBoolean("parallel_tool_calls")).isFalse();
    assertThat(sent.getString("tool_choice")).isEqualTo("auto");
    assertThat(sent.getJsonArray("tools").getJsonObject(0)).isEqualTo(new JsonObject().put("type", "function")
        .put("function", new JsonObject().put("name", "lookup").put("parameters", new JsonObject().put("type",
            "object"))));
    assertThat(sent.getInteger("max_completion_tokens")).isEqualTo(256);
  }

  @Test
  void metricsCountMessagesCalls() {
    double before = Metrics.sum(TestServer.await(client.get("/metrics").send()).bodyAsString(),
        "poncho_chat_requests_total", "model=\"mock\"", "status=\"200\"");
    post("/v1/messages", request("mock", "count me"));
    post("/v1/messages", request("mock", "count me too").put("stream", true));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Metrics.sum(
        TestServer.await(client.get("/metrics").send()).bodyAsString(), "poncho_chat_requests_total",
        "model=\"mock\"", "status=\"200\"")).isEqualTo(before + 2));
  }
  @Test
  void stopSequenceOfAnAnthropicUpstreamSurvives() {
    anthropic.then(FakeUpstream.json(200, new JsonObject().put("id", "msg_stop").put("type", "message")
        .put("role", "assistant").put("model", "claude-sonnet-4-5")
        .put("content", new JsonArray().add(new JsonObject().put("type", "text").put("text", "1, 2, 3")))
        .put("stop_reason", "stop_sequence").put("stop_sequence", "4")
        .put("usage", new JsonObject().put("input_tokens", 9).put("output_tokens", 5))));
    JsonObject message = post("/v1/messages", request("claude", "count").put("stop_sequences",
        new JsonArray().add("4"))).bodyAsJsonObject();
    assertThat(message.getString("stop_reason")).isEqualTo("stop_sequence");
    assertThat(message.getString("stop_sequence")).isEqualTo("4");

    String start = "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_s\",\"type\":\"message\","
        + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,"
        + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}";
    anthropic.then(FakeUpstream.sse(List.of(
        "event: message_start\ndata: " + start + "\n\n",
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
            + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
            + "\"delta\":{\"type\":\"text_delta\",\"text\":\"1, 2, 3\"}}\n\n",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"stop_sequence\","
            + "\"stop_sequence\":\"4\"},\"usage\":{\"output_tokens\":5}}\n\n",
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")));
    List<JsonObject> events = events(post("/v1/messages", request("claude", "count").put("stream", true)
        .put("stop_sequences", new JsonArray().add("4"))).bodyAsString());
    assertThat(events.get(0).getJsonObject("message").getString("id")).isEqualTo("msg_s");
    JsonObject delta = events.stream().filter(e -> e.getString("type").equals("message_delta")).findFirst()
        .orElseThrow();
    assertThat(delta.getJsonObject("delta")).isEqualTo(new JsonObject().put("stop_reason", "stop_sequence")
        .put("stop_sequence", "4"));
    assertThat(delta.getJsonObject("usage")).isEqualTo(new JsonObject().put("output_tokens", 5)
        .put("input_tokens", 9).put("cost_usd", "0.000102"));
  }
}

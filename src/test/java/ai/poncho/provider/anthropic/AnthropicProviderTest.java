package ai.poncho.provider.anthropic;

import static ai.poncho.testing.FakeUpstream.json;
import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.testing.ApiClient;
import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.Sse;
import ai.poncho.testing.TestServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Anthropic Messages adapter against a fake upstream speaking the Messages API's exact wire format. */
class AnthropicProviderTest {

  private static final String KEY = "sk-ant-api03-TestKey0123456789";
  private static final String UPSTREAM_MODEL = "claude-sonnet-4-5";

  private static FakeUpstream upstream;
  private static TestServer server;
  private static ApiClient client;

  @BeforeAll
  static void start() {
    upstream = FakeUpstream.start();
    JsonObject config = TestServer.config();
    config.getJsonObject("models").put("claude", new JsonObject().put("provider", "anthropic")
        .put("model_name", UPSTREAM_MODEL).put("api_key", KEY).put("base_url", upstream.baseUrl())
        .put("max_tokens", 1024).put("max_retries", 0).put("supports", new JsonObject().put("vision", true))
        .put("circuit_breaker", new JsonObject().put("enabled", false)));
    server = TestServer.start(config);
    client = new ApiClient(server);
  }

  @AfterAll
  static void stop() {
    client.close();
    server.close();
    upstream.close();
  }

  @BeforeEach
  void reset() {
    upstream.reset();
  }

  private static JsonObject message(JsonArray content, String stopReason, int input, int output) {
    return new JsonObject().put("id", "msg_013Zva2CMHLNnXjNJJKqJ2EF").put("type", "message").put("role", "assistant")
        .put("model", UPSTREAM_MODEL).put("content", content).put("stop_reason", stopReason)
        .put("stop_sequence", null).put("usage", new JsonObject().put("input_tokens", input)
            .put("cache_creation_input_tokens", 0).put("cache_read_input_tokens", 0).put("output_tokens", output));
  }

  private static JsonObject textBlock(String text) {
    return new JsonObject().put("type", "text").put("text", text);
  }

  private static String event(String type, JsonObject data) {
    return "event: " + type + "\n" + "data: " + data.put("type", type).encode() + "\n\n";
  }

  private static String messageStart(int input) {
    return event("message_start", new JsonObject().put("message", new JsonObject()
        .put("id", "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY").put("type", "message").put("role", "assistant")
        .put("content", new JsonArray()).put("model", UPSTREAM_MODEL).put("stop_reason", null)
        .put("stop_sequence", null).put("usage", new JsonObject().put("input_tokens", input).put("output_tokens", 1))));
  }

  private static String blockStart(int index, JsonObject block) {
    return event("content_block_start", new JsonObject().put("index", index).put("content_block", block));
  }

  private static String textDelta(int index, String text) {
    return event("content_block_delta", new JsonObject().put("index", index)
        .put("delta", new JsonObject().put("type", "text_delta").put("text", text)));
  }

  private static String jsonDelta(int index, String partial) {
    return event("content_block_delta", new JsonObject().put("index", index)
        .put("delta", new JsonObject().put("type", "input_json_delta").put("partial_json", partial)));
  }

  private static String blockStop(int index) {
    return event("content_block_stop", new JsonObject().put("index", index));
  }

  private static String messageDelta(String stopReason, int output) {
    return event("message_delta", new JsonObject()
        .put("delta", new JsonObject().put("stop_reason", stopReason).put("stop_sequence", null))
        .put("usage", new JsonObject().put("output_tokens", output)));
  }

  private static final String PING = "event: ping\ndata: {\"type\": \"ping\"}\n\n";
  private static final String MESSAGE_STOP = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

  @Test
  void completionTranslatesSystemPromptAndAnswer() {
    upstream.then(json(200, message(new JsonArray().add(textBlock("Bonjour!")), "end_turn", 21, 4)));
    JsonObject request = new JsonObject().put("model", "claude").put("temperature", 1.6).put("stop", "END")
        .put("messages", new JsonArray()
            .add(new JsonObject().put("role", "system").put("content", "Answer in French."))
            .add(new JsonObject().put("role", "user").put("content", "Hello")));
    HttpResponse<Buffer> response = client.chat(request);

    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getString("object")).isEqualTo("chat.completion");
    assertThat(body.getString("model")).isEqualTo("claude");
    JsonObject choice = body.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getJsonObject("message").getString("content")).isEqualTo("Bonjour!");
    assertThat(choice.getString("finish_reason")).isEqualTo("stop");
    assertThat(body.getJsonObject("usage")).isEqualTo(new JsonObject().put("prompt_tokens", 21)
        .put("completion_tokens", 4).put("total_tokens", 25));

    FakeUpstream.Received sent = upstream.received().get(0);
    assertThat(sent.path()).isEqualTo("/v1/messages");
    assertThat(sent.headers().get("x-api-key")).isEqualTo(KEY);
    assertThat(sent.headers().get("anthropic-version")).isEqualTo("2023-06-01");
    assertThat(sent.headers().get("authorization")).isNull();
    JsonObject sentBody = sent.json();
    assertThat(sentBody.getString("model")).isEqualTo(UPSTREAM_MODEL);
    assertThat(sentBody.getInteger("max_tokens")).isEqualTo(1024);
    assertThat(sentBody.getString("system")).isEqualTo("Answer in French.");
    assertThat(sentBody.getDouble("temperature")).isEqualTo(1.0);
    assertThat(sentBody.getJsonArray("stop_sequences")).containsExactly("END");
    assertThat(sentBody.getJsonArray("messages")).isEqualTo(new JsonArray().add(new JsonObject().put("role", "user")
        .put("content", new JsonArray().add(textBlock("Hello")))));
  }

  @Test
  void imagesBecomeUrlAndBase64ImageBlocks() {
    upstream.then(json(200, message(new JsonArray().add(textBlock("Two cats.")), "end_turn", 900, 3)));
    JsonObject request = new JsonObject().put("model", "claude").put("messages", new JsonArray().add(new JsonObject()
        .put("role", "user").put("content", new JsonArray()
            .add(new JsonObject().put("type", "text").put("text", "Compare"))
            .add(new JsonObject().put("type", "image_url")
                .put("image_url", new JsonObject().put("url", "https://example.com/cat.jpg")))
            .add(new JsonObject().put("type", "image_url")
                .put("image_url", new JsonObject().put("url", "data:image/jpeg;base64,/9j/4AAQSkZJRg=="))))));
    assertThat(client.chat(request).statusCode()).isEqualTo(200);
    JsonArray content = upstream.received().get(0).json().getJsonArray("messages").getJsonObject(0)
        .getJsonArray("content");
    assertThat(content.getJsonObject(0)).isEqualTo(textBlock("Compare"));
    assertThat(content.getJsonObject(1)).isEqualTo(new JsonObject().put("type", "image").put("source",
        new JsonObject().put("type", "url").put("url", "https://example.com/cat.jpg")));
    assertThat(content.getJsonObject(2)).isEqualTo(new JsonObject().put("type", "image").put("source",
        new JsonObject().put("type", "base64").put("media_type", "image/jpeg").put("data", "/9j/4AAQSkZJRg==")));
  }

  @Test
  void toolUseTranslatesBothWays() {
    upstream.then(json(200, message(new JsonArray()
        .add(textBlock("Let me check."))
        .add(new JsonObject().put("type", "tool_use").put("id", "toolu_01A").put("name", "get_weather")
            .put("input", new JsonObject().put("city", "Paris")))
        .add(new JsonObject().put("type", "tool_use").put("id", "toolu_01B").put("name", "get_time")
            .put("input", new JsonObject().put("tz", "CET"))), "tool_use", 300, 90)));
    JsonObject parameters = new JsonObject().put("type", "object").put("properties",
        new JsonObject().put("city", new JsonObject().put("type", "string")));
    JsonObject request = new JsonObject().put("model", "claude")
        .put("tools", new JsonArray().add(new JsonObject().put("type", "function").put("function", new JsonObject()
            .put("name", "get_weather").put("description", "Weather by city").put("parameters", parameters))))
        .put("tool_choice", "required")
        .put("messages", new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", "Weather in Rome and Oslo?"))
            .add(new JsonObject().put("role", "assistant").put("content", null).put("tool_calls", new JsonArray()
                .add(call("toolu_0", "get_weather", "{\"city\":\"Rome\"}"))
                .add(call("toolu_1", "get_weather", "{\"city\":\"Oslo\"}"))))
            .add(new JsonObject().put("role", "tool").put("tool_call_id", "toolu_0").put("content", "Sunny"))
            .add(new JsonObject().put("role", "tool").put("tool_call_id", "toolu_1").put("content", "Snow")));
    JsonObject body = client.chat(request).bodyAsJsonObject();

    JsonObject choice = body.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getString("finish_reason")).isEqualTo("tool_calls");
    JsonObject answer = choice.getJsonObject("message");
    assertThat(answer.getString("content")).isEqualTo("Let me check.");
    assertThat(answer.getJsonArray("tool_calls")).isEqualTo(new JsonArray()
        .add(call("toolu_01A", "get_weather", "{\"city\":\"Paris\"}"))
        .add(call("toolu_01B", "get_time", "{\"tz\":\"CET\"}")));

    JsonObject sent = upstream.received().get(0).json();
    assertThat(sent.getJsonArray("tools")).isEqualTo(new JsonArray().add(new JsonObject().put("name", "get_weather")
        .put("input_schema", parameters).put("description", "Weather by city")));
    assertThat(sent.getJsonObject("tool_choice")).isEqualTo(new JsonObject().put("type", "any"));
    JsonArray messages = sent.getJsonArray("messages");
    assertThat(messages).hasSize(3);
    assertThat(messages.getJsonObject(1)).isEqualTo(new JsonObject().put("role", "assistant").put("content",
        new JsonArray()
            .add(new JsonObject().put("type", "tool_use").put("id", "toolu_0").put("name", "get_weather")
                .put("input", new JsonObject().put("city", "Rome")))
            .add(new JsonObject().put("type", "tool_use").put("id", "toolu_1").put("name", "get_weather")
                .put("input", new JsonObject().put("city", "Oslo")))));
    assertThat(messages.getJsonObject(2)).isEqualTo(new JsonObject().put("role", "user").put("content",
        new JsonArray()
            .add(new JsonObject().put("type", "tool_result").put("tool_use_id", "toolu_0").put("content", "Sunny"))
            .add(new JsonObject().put("type", "tool_result").put("tool_use_id", "toolu_1").put("content", "Snow"))));
  }

  @Test
  void streamedTextWithPingAndUsage() {
    upstream.then(FakeUpstream.sse(List.of(messageStart(25), blockStart(0, textBlock("")), PING,
        textDelta(0, "Hello"), textDelta(0, ", world"), blockStop(0), messageDelta("max_tokens", 15), MESSAGE_STOP)));
    HttpResponse<Buffer> response = client.chat(ApiClient.request("claude", "Hi").put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true)));

    assertThat(response.statusCode()).isEqualTo(200);
    List<String> data = Sse.data(response.bodyAsString());
    assertThat(data).last().isEqualTo("[DONE]");
    List<JsonObject> chunks = Sse.json(response.bodyAsString());
    assertThat(chunks).allSatisfy(c -> {
      assertThat(c.getString("object")).isEqualTo("chat.completion.chunk");
      assertThat(c.getString("model")).isEqualTo("claude");
    });
    assertThat(chunks.get(0).getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("role"))
        .isEqualTo("assistant");
    assertThat(Sse.content(chunks)).isEqualTo("Hello, world");
    JsonObject finish = chunks.get(chunks.size() - 2).getJsonArray("choices").getJsonObject(0);
    assertThat(finish.getString("finish_reason")).isEqualTo("length");
    JsonObject usage = chunks.get(chunks.size() - 1).getJsonObject("usage");
    assertThat(usage.getInteger("prompt_tokens")).isEqualTo(25);
    assertThat(usage.getInteger("completion_tokens")).isEqualTo(15);
    JsonObject sent = upstream.received().get(0).json();
    assertThat(sent.getBoolean("stream")).isTrue();
  }

  @Test
  void streamedToolUseBecomesIncrementalToolCallDeltas() {
    List<String> frames = List.of(messageStart(400), blockStart(0, textBlock("")), textDelta(0, "Checking."),
        blockStop(0),
        blockStart(1, new JsonObject().put("type", "tool_use").put("id", "toolu_01T1x").put("name", "get_weather")
            .put("input", new JsonObject())),
        jsonDelta(1, ""), jsonDelta(1, "{\"city\": \"Pa"), jsonDelta(1, "ris\"}"), blockStop(1),
        blockStart(2, new JsonObject().put("type", "tool_use").put("id", "toolu_02Y").put("name", "get_time")
            .put("input", new JsonObject())),
        jsonDelta(2, "{\"tz\":"), PING, jsonDelta(2, " \"CET\"}"), blockStop(2),
        messageDelta("tool_use", 89), MESSAGE_STOP);
    // CRLF line endings and 5-byte pieces: the parser must reassemble everything.
    List<String> crlf = frames.stream().map(frame -> frame.replace("\n", "\r\n")).toList();
    upstream.then(FakeUpstream.sseInPieces(crlf, 5));
    HttpResponse<Buffer> response = client.chat(ApiClient.request("claude", "Weather and time in Paris?")
        .put("stream", true).put("tools", new JsonArray().add(new JsonObject().put("type", "function")
            .put("function", new JsonObject().put("name", "get_weather")))));

    List<JsonObject> chunks = Sse.json(response.bodyAsString());
    assertThat(Sse.data(response.bodyAsString())).last().isEqualTo("[DONE]");
    assertThat(Sse.content(chunks)).isEqualTo("Checking.");
    List<JsonObject> toolDeltas = new ArrayList<>();
    for (JsonObject chunk : chunks) {
      JsonArray choices = chunk.getJsonArray("choices");
      JsonObject delta = choices.isEmpty() ? new JsonObject() : choices.getJsonObject(0).getJsonObject("delta");
      if (delta.containsKey("tool_calls")) {
        toolDeltas.add(delta.getJsonArray("tool_calls").getJsonObject(0));
      }
    }
    assertThat(toolDeltas).containsExactly(
        new JsonObject().put("index", 0).put("id", "toolu_01T1x").put("type", "function")
            .put("function", new JsonObject().put("name", "get_weather").put("arguments", "")),
        new JsonObject().put("index", 0).put("function", new JsonObject().put("arguments", "{\"city\": \"Pa")),
        new JsonObject().put("index", 0).put("function", new JsonObject().put("arguments", "ris\"}")),
        new JsonObject().put("index", 1).put("id", "toolu_02Y").put("type", "function")
            .put("function", new JsonObject().put("name", "get_time").put("arguments", "")),
        new JsonObject().put("index", 1).put("function", new JsonObject().put("arguments", "{\"tz\":")),
        new JsonObject().put("index", 1).put("function", new JsonObject().put("arguments", " \"CET\"}")));
    JsonObject finish = chunks.get(chunks.size() - 1).getJsonArray("choices").getJsonObject(0);
    assertThat(finish.getString("finish_reason")).isEqualTo("tool_calls");
  }

  @Test
  void anErrorEventMidStreamEndsWithAnErrorAndNoDone() {
    upstream.then(FakeUpstream.sse(List.of(messageStart(10), blockStart(0, textBlock("")), textDelta(0, "Hel"),
        "event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", \"message\": "
            + "\"Overloaded\"}}\n\n")));
    HttpResponse<Buffer> response = client.chat(ApiClient.request("claude", "Hi").put("stream", true));
    List<String> data = Sse.data(response.bodyAsString());
    assertThat(data).doesNotContain("[DONE]");
    JsonObject error = new JsonObject(data.get(data.size() - 1)).getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo("service_unavailable_error");
    assertThat(error.getString("message")).contains("Overloaded");
  }

  @Test
  void anthropicErrorBodiesArePassedOn() {
    upstream.then(json(400, new JsonObject().put("type", "error").put("error", new JsonObject()
        .put("type", "invalid_request_error").put("message", "messages: roles must alternate"))));
    HttpResponse<Buffer> response = client.chat(ApiClient.request("claude", "Hi"));
    assertThat(response.statusCode()).isEqualTo(400);
    JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo("invalid_request_error");
    assertThat(error.getString("code")).isEqualTo("invalid_request_error");
    assertThat(error.getString("message")).contains("messages: roles must alternate");
  }

  private static JsonObject call(String id, String name, String arguments) {
    return new JsonObject().put("id", id).put("type", "function")
        .put("function", new JsonObject().put("name", name).put("arguments", arguments));
  }
}

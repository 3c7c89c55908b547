package ai.poncho.api;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/responses}: the response object, the typed event stream with sequence numbers and
 * consistent item ids, incomplete and failed responses, the stateless subset's clear 400s, and the
 * translation to an OpenAI upstream and an Anthropic one.
 */
class ResponsesApiTest {

  private static FakeUpstream openAi;
  private static FakeUpstream anthropic;
  private static TestServer server;
  private static Vertx vertx;
  private static WebClient client;

  @BeforeAll
  static void start() {
    openAi = FakeUpstream.start().always(VendorFakes::openAi);
    anthropic = FakeUpstream.start().always(VendorFakes::anthropic);
    JsonObject config = TestServer.config();
    JsonObject models = config.getJsonObject("models");
    models.put("gpt", new JsonObject().put("provider", "openai").put("model_name", "gpt-4o")
        .put("api_key", "sk-test-0123456789").put("base_url", openAi.baseUrl() + "/v1").put("max_retries", 0)
        .put("supports", new JsonObject().put("vision", true)));
    models.put("claude", new JsonObject().put("provider", "anthropic").put("model_name", "claude-haiku-4-5")
        .put("api_key", "sk-ant-test-0123456789").put("base_url", anthropic.baseUrl()).put("max_retries", 0));
    server = TestServer.start(config);
    vertx = Vertx.vertx();
    client = server.webClient(vertx);
  }

  @AfterAll
  static void stop() {
    TestServer.await(vertx.close());
    server.close();
    openAi.close();
    anthropic.close();
  }

  @BeforeEach
  void reset() {
    openAi.reset();
    anthropic.reset();
  }

  private static HttpResponse<Buffer> post(JsonObject body) {
    return TestServer.await(client.post("/v1/responses").sendJsonObject(body));
  }

  private static List<JsonObject> events(String body) {
    List<JsonObject> events = new ArrayList<>();
    for (String block : body.split("\n\n")) {
      String name = null;
      JsonObject data = null;
      for (String line : block.split("\n")) {
        if (line.startsWith("event: ")) {
          name = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = new JsonObject(line.substring(6));
        }
      }
      if (data != null) {
        assertThat(data.getString("type")).isEqualTo(name);
        events.add(data);
      }
    }
    return events;
  }

  private static List<String> types(List<JsonObject> events) {
    return events.stream().map(e -> e.getString("type")).toList();
  }

  @Test
  void nonStreamedResponseObject() {
    JsonObject response = post(new JsonObject().put("model", "mock").put("instructions", "Be brief.")
        .put("input", "hello responses").put("store", false).put("metadata", new JsonObject().put("team", "a")))
        .bodyAsJsonObject();
    assertThat(response.getString("id")).startsWith("resp_");
    assertThat(response.getString("object")).isEqualTo("response");
    assertThat(response.getString("status")).isEqualTo("completed");
    assertThat(response.getString("model")).isEqualTo("mock");
    assertThat(response.getString("instructions")).isEqualTo("Be brief.");
    assertThat(response.getBoolean("store")).isFalse();
    assertThat(response.getJsonObject("metadata")).isEqualTo(new JsonObject().put("team", "a"));
    assertThat(response.getValue("previous_response_id")).isNull();
    JsonArray output = response.getJsonArray("output");
    assertThat(output).hasSize(1);
    JsonObject message = output.getJsonObject(0);
    assertThat(message.getString("type")).isEqualTo("message");
    assertThat(message.getString("id")).startsWith("msg_");
    assertThat(message.getString("role")).isEqualTo("assistant");
    assertThat(message.getString("status")).isEqualTo("completed");
    JsonObject text = message.getJsonArray("content").getJsonObject(0);
    assertThat(text.getString("type")).isEqualTo("output_text");
    assertThat(text.getString("text")).isEqualTo("Mock reply to: hello responses");
    assertThat(text.getJsonArray("annotations")).isEmpty();
    JsonObject usage = response.getJsonObject("usage");
    assertThat(usage.getInteger("output_tokens")).isEqualTo(5);
    assertThat(usage.getInteger("total_tokens")).isEqualTo(usage.getInteger("input_tokens") + 5);
  }

  @Test
  void maxOutputTokensMakesItIncomplete() {
    JsonObject response = post(new JsonObject().put("model", "mock").put("input", "one two three four")
        .put("max_output_tokens", 2)).bodyAsJsonObject();
    assertThat(response.getString("status")).isEqualTo("incomplete");
    assertThat(response.getJsonObject("incomplete_details")).isEqualTo(new JsonObject()
        .put("reason", "max_output_tokens"));
    List<JsonObject> events = events(post(new JsonObject().put("model", "mock").put("input", "one two three four")
        .put("max_output_tokens", 2).put("stream", true)).bodyAsString());
    JsonObject last = events.get(events.size() - 1);
    assertThat(last.getString("type")).isEqualTo("response.incomplete");
    assertThat(last.getJsonObject("response").getString("status")).isEqualTo("incomplete");
  }

  @Test
  void streamedEventsAreTypedNumberedAndConsistent() {
    HttpResponse<Buffer> http = post(new JsonObject().put("model", "mock").put("input", "stream this").put("stream", true));
    assertThat(http.getHeader("content-type")).startsWith("text/event-stream");
    List<JsonObject> events = events(http.bodyAsString());
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).getInteger("sequence_number")).isEqualTo(i);
    }
    List<String> types = types(events);
    assertThat(types.subList(0, 4)).containsExactly("response.created", "response.in_progress",
        "response.output_item.added", "response.content_part.added");
    assertThat(types.subList(4, types.size() - 4)).containsOnly("response.output_text.delta");
    assertThat(types.subList(types.size() - 4, types.size())).containsExactly("response.output_text.done",
        "response.content_part.done", "response.output_item.done", "response.completed");
    JsonObject created = events.get(0).getJsonObject("response");
    assertThat(created.getString("status")).isEqualTo("in_progress");
    assertThat(created.getJsonArray("output")).isEmpty();
    String itemId = events.get(2).getJsonObject("item").getString("id");
    StringBuilder text = new StringBuilder();
    events.stream().filter(e -> e.getString("type").equals("response.output_text.delta")).forEach(e -> {
      assertThat(e.getString("item_id")).isEqualTo(itemId);
      assertThat(e.getInteger("output_index")).isZero();
      assertThat(e.getInteger("content_index")).isZero();
      text.append(e.getString("delta"));
    });
    assertThat(text.toString()).isEqualTo("Mock reply to: stream this");
    assertThat(events.get(types.size() - 4).getString("text")).isEqualTo(text.toString());
    JsonObject completed = events.get(events.size() - 1).getJsonObject("response");
    assertThat(completed.getString("id")).isEqualTo(created.getString("id"));
    assertThat(completed.getString("status")).isEqualTo("completed");
    assertThat(completed.getJsonArray("output").getJsonObject(0).getString("id")).isEqualTo(itemId);
    assertThat(completed.getJsonObject("usage").getInteger("output_tokens")).isEqualTo(5);
  }

  @Test
  void functionCallsStreamAsArgumentDeltas() {
    JsonObject body = new JsonObject().put("model", "mock").put("input", "weather in Lima").put("stream", true)
        .put("tool_choice", "required").put("tools", new JsonArray().add(new JsonObject().put("type", "function")
            .put("name", "get_weather").put("parameters", new JsonObject().put("type", "object"))));
    List<JsonObject> events = events(post(body).bodyAsString());
    List<String> types = types(events);
    assertThat(types).contains("response.function_call_arguments.delta", "response.function_call_arguments.done")
        .doesNotContain("response.output_text.delta");
    JsonObject added = events.get(types.indexOf("response.output_item.added")).getJsonObject("item");
    assertThat(added.getString("type")).isEqualTo("function_call");
    assertThat(added.getString("name")).isEqualTo("get_weather");
    assertThat(added.getString("id")).startsWith("fc_");
    assertThat(added.getString("call_id")).isNotBlank();
    JsonObject done = events.get(types.indexOf("response.function_call_arguments.done"));
    assertThat(new JsonObject(done.getString("arguments")).getString("query")).isEqualTo("weather in Lima");
    JsonObject item = events.get(types.indexOf("response.output_item.done")).getJsonObject("item");
    assertThat(item.getString("status")).isEqualTo("completed");
    assertThat(item.getString("arguments")).isEqualTo(done.getString("arguments"));
  }

  @Test
  void failureMidStreamIsResponseFailed() {
    List<JsonObject> events = events(post(new JsonObject().put("model", "mock").put("input", "a b c d e f")
        .put("stream", true).put("metadata", new JsonObject().put("mock_fail_after_chunks", "2"))).bodyAsString());
    JsonObject last = events.get(events.size() - 1);
    assertThat(last.getString("type")).isEqualTo("response.failed");
    JsonObject response = last.getJsonObject("response");
    assertThat(response.getString("status")).isEqualTo("failed");
    assertThat(response.getJsonObject("error").getString("code")).isEqualTo("upstream_stream_error");
    assertThat(response.getJsonObject("error").getString("message")).contains("failed after 2 chunks");
  }

  @Test
  void statefulAndUnsupportedFeaturesAreClear400s() {
    HttpResponse<Buffer> previous = post(new JsonObject().put("model", "mock").put("input", "x")
        .put("previous_response_id", "resp_123"));
    assertThat(previous.statusCode()).isEqualTo(400);
    JsonObject error = previous.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("param")).isEqualTo("previous_response_id");
    assertThat(error.getString("code")).isEqualTo("unsupported_parameter");
    assertThat(error.getString("message")).contains("stateless");
    assertThat(post(new JsonObject().put("model", "mock").put("input", "x").put("background", true)).statusCode())
        .isEqualTo(400);
    assertThat(post(new JsonObject().put("model", "mock").put("input", new JsonArray().add(new JsonObject()
        .put("type", "item_reference").put("id", "msg_1")))).statusCode()).isEqualTo(400);
    HttpResponse<Buffer> hosted = post(new JsonObject().put("model", "mock").put("input", "x")
        .put("tools", new JsonArray().add(new JsonObject().put("type", "web_search"))));
    assertThat(hosted.statusCode()).isEqualTo(400);
    assertThat(hosted.bodyAsJsonObject().getJsonObject("error").getString("param")).isEqualTo("tools[0].type");
    HttpResponse<Buffer> noInput = post(new JsonObject().put("model", "mock"));
    assertThat(noInput.statusCode()).isEqualTo(400);
    assertThat(noInput.bodyAsJsonObject().getJsonObject("error").getString("param")).isEqualTo("input");
    assertThat(post(new JsonObject().put("model", "nope").put("input", "x")).statusCode()).isEqualTo(404);
    HttpResponse<Buffer> retrieve = TestServer.await(client.get("/v1/responses/resp_123").send());
    assertThat(retrieve.statusCode()).isEqualTo(404);
    assertThat(retrieve.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("response_not_found");
    assertThat(post(new JsonObject().put("model", "mock").put("input", "x").put("temperature", 3)).statusCode())
        .isEqualTo(400);
  }

  /** What the gateway cannot honour is a 400 naming the field, never silently ignored. */
  @Test
  void unsupportedFeaturesAreRefusedByName() {
    JsonObject fileInput = new JsonObject().put("role", "user").put("content", new JsonArray()
        .add(new JsonObject().put("type", "input_file").put("file_id", "file_1")));
    Map<String, JsonObject> refused = new LinkedHashMap<>();
    refused.put("store", new JsonObject().put("store", true));
    refused.put("reasoning", new JsonObject().put("reasoning", new JsonObject().put("effort", "low")));
    refused.put("include", new JsonObject().put("include", new JsonArray().add("reasoning.encrypted_content")));
    refused.put("truncation", new JsonObject().put("truncation", "auto"));
    refused.put("prompt", new JsonObject().put("prompt", new JsonObject().put("id", "pmpt_1")).put("input", null));
    refused.put("input[0].content[0].type", new JsonObject().put("input", new JsonArray().add(fileInput)));
    refused.put("tools[0].type", new JsonObject().put("tools", new JsonArray()
        .add(new JsonObject().put("type", "file_search").put("vector_store_ids", new JsonArray().add("vs_1")))));
    refused.forEach((param, fields) -> {
      JsonObject body = new JsonObject().put("model", "mock").put("input", "x").mergeIn(fields);
      HttpResponse<Buffer> answer = post(body);
      assertThat(answer.statusCode()).as(param).isEqualTo(400);
      JsonObject error = answer.bodyAsJsonObject().getJsonObject("error");
      assertThat(error.getString("type")).as(param).isEqualTo("invalid_request_error");
      assertThat(error.getString("param")).as(param).isEqualTo(param);
    });
    JsonObject accepted = new JsonObject().put("model", "mock").put("input", "x").put("store", false)
        .put("truncation", "disabled").put("include", new JsonArray())
        .put("reasoning", new JsonObject().putNull("effort"));
    HttpResponse<Buffer> answer = post(accepted);
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.bodyAsJsonObject().getBoolean("store")).isFalse();
  }

  @Test
  void itemsTranslateToAnOpenAiUpstream() {
    JsonObject body = new JsonObject().put("model", "gpt").put("instructions", "Sys.")
        .put("text", new JsonObject().put("format", new JsonObject().put("type", "json_schema").put("name", "out")
            .put("schema", new JsonObject().put("type", "object")).put("strict", true)))
        .put("input", new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", new JsonArray()
                .add(new JsonObject().put("type", "input_text").put("text", "look"))
                .add(new JsonObject().put("type", "input_image").put("image_url", "https://example.com/a.png")
                    .put("detail", "low"))))
            .add(new JsonObject().put("type", "function_call").put("call_id", "call_1").put("name", "f")
                .put("arguments", "{\"a\":1}"))
            .add(new JsonObject().put("type", "function_call_output").put("call_id", "call_1").put("output", "42")));
    JsonObject response = post(body).bodyAsJsonObject();
    assertThat(response.getJsonArray("output").getJsonObject(0).getJsonArray("content").getJsonObject(0)
        .getString("text")).isEqualTo("OpenAI fake: 42");
    assertThat(response.getJsonObject("usage")).isEqualTo(new JsonObject().put("input_tokens", 11)
        .put("input_tokens_details", new JsonObject().put("cached_tokens", 0)).put("output_tokens", 4)
        .put("output_tokens_details", new JsonObject().put("reasoning_tokens", 0)).put("total_tokens", 15));
    JsonObject sent = openAi.received().get(0).json();
    JsonArray messages = sent.getJsonArray("messages");
    assertThat(messages.getJsonObject(0)).isEqualTo(new JsonObject().put("role", "system").put("content", "Sys."));
    assertThat(messages.getJsonObject(1).getJsonArray("content").getJsonObject(1)).isEqualTo(new JsonObject()
        .put("type", "image_url").put("image_url", new JsonObject().put("url", "https://example.com/a.png")
            .put("detail", "low")));
    assertThat(messages.getJsonObject(2).getJsonArray("tool_calls").getJsonObject(0)).isEqualTo(new JsonObject()
        .put("id", "call_1").put("type", "function").put("function", new JsonObject().put("name", "f")
            .put("arguments", "{\"a\":1}")));
    assertThat(messages.getJsonObject(3)).isEqualTo(new JsonObject().put("role", "tool").put("content", "42")
        .put("tool_call_id", "call_1"));
    assertThat(sent.getJsonObject("response_format")).isEqualTo(new JsonObject().put("type", "json_schema")
        .put("json_schema", new JsonObject().put("name", "out").put("schema", new JsonObject().put("type", "object"))
            .put("strict", true)));
  }

  @Test
  void anAnthropicModelServesTheResponsesApi() {
    List<JsonObject> events = events(post(new JsonObject().put("model", "claude").put("input", "hi claude")
        .put("max_output_tokens", 100).put("stream", true)).bodyAsString());
    JsonObject completed = events.get(events.size() - 1);
    assertThat(completed.getString("type")).isEqualTo("response.completed");
    assertThat(completed.getJsonObject("response").getJsonArray("output").getJsonObject(0).getJsonArray("content")
        .getJsonObject(0).getString("text")).isEqualTo("Anthropic fake: hi claude");
    assertThat(completed.getJsonObject("response").getJsonObject("usage").getInteger("input_tokens")).isEqualTo(21);
    assertThat(anthropic.received().get(0).json().getInteger("max_tokens")).isEqualTo(100);
  }
}

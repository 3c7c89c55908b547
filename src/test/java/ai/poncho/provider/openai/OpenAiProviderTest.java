package ai.poncho.provider.openai;

import static ai.poncho.provider.openai.OpenAiWire.DONE;
import static ai.poncho.provider.openai.OpenAiWire.chunk;
import static ai.poncho.provider.openai.OpenAiWire.text;
import static ai.poncho.provider.openai.OpenAiWire.toolCallDelta;
import static ai.poncho.provider.openai.OpenAiWire.usageChunk;
import static ai.poncho.testing.FakeUpstream.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.testing.ApiClient;
import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.Metrics;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The OpenAI-compatible adapter against a fake upstream speaking OpenAI's exact wire format. */
class OpenAiProviderTest {

  private static final String KEY = "sk-test-Secr3tKey-0123456789";
  private static final String UPSTREAM_MODEL = "gpt-4o-2024-08-06";

  private static FakeUpstream upstream;
  private static TestServer server;
  private static ApiClient client;

  @BeforeAll
  static void start() {
    upstream = FakeUpstream.start();
    JsonObject config = TestServer.config();
    JsonObject quick = new JsonObject().put("max_retries", 0).put("first_token_timeout", "1500ms")
        .put("stream_idle_timeout", "1500ms").put("circuit_breaker", new JsonObject().put("enabled", false));
    config.getJsonObject("models")
        .put("gpt", quick.copy().put("provider", "openai").put("model_name", UPSTREAM_MODEL).put("api_key", KEY)
            .put("base_url", upstream.baseUrl() + "/v1").put("headers", new JsonObject().put("x-team", "poncho"))
            .put("supports", new JsonObject().put("vision", true)))
        .put("patient", quick.copy().put("provider", "openai").put("api_key", KEY)
            .put("base_url", upstream.baseUrl() + "/v1").put("stream_idle_timeout", "10m"))
        .put("unhurried", quick.copy().put("provider", "openai").put("api_key", KEY)
            .put("base_url", upstream.baseUrl() + "/v1").put("first_token_timeout", "10m").put("timeout", "10m"))
        .put("glm", quick.copy().put("provider", "zai").put("model_name", "glm-4.6").put("api_key", "zai-key-abcdef")
            .put("base_url", upstream.baseUrl() + "/api/paas/v4"));
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

  @Test
  void completionIsSentInOpenAiFormatAndAnsweredAsTheUpstreamSaid() {
    upstream.then(json(200, OpenAiWire.completion(UPSTREAM_MODEL, text("Hello there!"), "stop", 19, 3)));
    JsonObject request = ApiClient.request("gpt", "Hi").put("max_tokens", 50).put("seed", 7)
        .put("metadata", new JsonObject().put("mock_error_status", "500"));
    HttpResponse<Buffer> response = client.chat(request);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("x-poncho-model")).isEqualTo("gpt");
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getString("object")).isEqualTo("chat.completion");
    assertThat(body.getString("model")).isEqualTo("gpt");
    JsonObject choice = body.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getJsonObject("message").getString("content")).isEqualTo("Hello there!");
    assertThat(choice.getString("finish_reason")).isEqualTo("stop");
    assertThat(body.getJsonObject("usage")).isEqualTo(new JsonObject().put("prompt_tokens", 19)
        .put("completion_tokens", 3).put("total_tokens", 22));

    FakeUpstream.Received sent = upstream.received().get(0);
    assertThat(sent.path()).isEqualTo("/v1/chat/completions");
    assertThat(sent.headers().get("authorization")).isEqualTo("Bearer " + KEY);
    assertThat(sent.headers().get("x-team")).isEqualTo("poncho");
    JsonObject upstreamBody = sent.json();
    assertThat(upstreamBody.getString("model")).isEqualTo(UPSTREAM_MODEL);
    assertThat(upstreamBody.getInteger("max_completion_tokens")).isEqualTo(50);
    assertThat(upstreamBody.getInteger("seed")).isEqualTo(7);
    assertThat(upstreamBody.containsKey("metadata")).isFalse();
    assertThat(upstreamBody.containsKey("stream")).isFalse();
    assertThat(upstreamBody.getJsonArray("messages").getJsonObject(0).getString("content")).isEqualTo("Hi");
  }

  @Test
  void streamAsksForUsageUpstreamButGivesItOnlyToClientsThatAsked() {
    List<String> frames = List.of(
        chunk(UPSTREAM_MODEL, new JsonObject().put("role", "assistant").put("content", "").put("refusal", null), null),
        chunk(UPSTREAM_MODEL, new JsonObject().put("content", "Hel"), null),
        chunk(UPSTREAM_MODEL, new JsonObject().put("content", "lo"), null),
        chunk(UPSTREAM_MODEL, new JsonObject(), "stop"),
        usageChunk(UPSTREAM_MODEL, 11, 2), DONE);
    upstream.then(FakeUpstream.sse(frames)).then(FakeUpstream.sse(frames));

    HttpResponse<Buffer> plain = client.chat(ApiClient.request("gpt", "Hi").put("stream", true));
    assertThat(plain.getHeader("content-type")).startsWith("text/event-stream");
    assertThat(plain.getHeader("x-poncho-model")).isEqualTo("gpt");
    assertThat(Sse.data(plain.bodyAsString())).last().isEqualTo("[DONE]");
    List<JsonObject> chunks = Sse.json(plain.bodyAsString());
    assertThat(Sse.content(chunks)).isEqualTo("Hello");
    assertThat(chunks).allSatisfy(c -> {
      assertThat(c.containsKey("usage")).isFalse();
      assertThat(c.getString("model")).isEqualTo("gpt");
    });
    assertThat(chunks.get(chunks.size() - 1).getJsonArray("choices").getJsonObject(0).getString("finish_reason"))
        .isEqualTo("stop");
    JsonObject upstreamBody = upstream.received().get(0).json();
    assertThat(upstreamBody.getBoolean("stream")).isTrue();
    assertThat(upstreamBody.getJsonObject("stream_options")).isEqualTo(new JsonObject().put("include_usage", true));

    HttpResponse<Buffer> withUsage = client.chat(ApiClient.request("gpt", "Hi").put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true)));
    List<JsonObject> usageChunks = Sse.json(withUsage.bodyAsString());
    JsonObject last = usageChunks.get(usageChunks.size() - 1);
    assertThat(last.getJsonArray("choices")).isEmpty();
    assertThat(last.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(11);
    assertThat(last.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(2);

    String scrape = client.get("/metrics").bodyAsString();
    assertThat(Metrics.sum(scrape, "poncho_chat_tokens_total", "model=\"gpt\"", "type=\"completion\""))
        .isGreaterThanOrEqualTo(4);
  }

  @Test
  void imagesGoToVisionModelsAndAreRefusedByOthers() {
    upstream.always(json(200, OpenAiWire.completion(UPSTREAM_MODEL, text("A cat."), "stop", 800, 3)));
    JsonArray parts = new JsonArray()
        .add(new JsonObject().put("type", "text").put("text", "What is this?"))
        .add(new JsonObject().put("type", "image_url").put("image_url",
            new JsonObject().put("url", "https://example.com/cat.png").put("detail", "low")))
        .add(new JsonObject().put("type", "image_url").put("image_url",
            new JsonObject().put("url", "data:image/png;base64,iVBORw0KGgo=")));
    JsonObject request = new JsonObject().put("model", "gpt")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", parts)));

    HttpResponse<Buffer> response = client.chat(request);
    assertThat(response.statusCode()).isEqualTo(200);
    JsonArray sentParts = upstream.received().get(0).json().getJsonArray("messages").getJsonObject(0)
        .getJsonArray("content");
    assertThat(sentParts).isEqualTo(parts);

    HttpResponse<Buffer> refused = client.chat(request.copy().put("model", "glm"));
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("image");
    assertThat(upstream.count()).isEqualTo(1);
  }

  @Test
  void toolCallsRoundTripWithoutStreaming() {
    JsonObject message = new JsonObject().put("role", "assistant").put("content", null).put("tool_calls",
        new JsonArray()
            .add(toolCall("call_abc", "get_weather", "{\"city\":\"Paris\"}"))
            .add(toolCall("call_def", "get_time", "{\"tz\":\"Europe/Paris\"}")));
    upstream.then(json(200, OpenAiWire.completion(UPSTREAM_MODEL, message, "tool_calls", 80, 40)));
    JsonArray tools = new JsonArray().add(new JsonObject().put("type", "function").put("function",
        new JsonObject().put("name", "get_weather").put("parameters", new JsonObject().put("type", "object"))));
    JsonObject request = new JsonObject().put("model", "gpt").put("tools", tools).put("tool_choice", "auto")
        .put("messages", new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", "Weather?"))
            .add(new JsonObject().put("role", "assistant").put("content", null).put("tool_calls",
                new JsonArray().add(toolCall("call_0", "get_weather", "{\"city\":\"Rome\"}"))))
            .add(new JsonObject().put("role", "tool").put("tool_call_id", "call_0").put("content", "Sunny")));

    JsonObject body = client.chat(request).bodyAsJsonObject();
    JsonObject choice = body.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getString("finish_reason")).isEqualTo("tool_calls");
    assertThat(choice.getJsonObject("message").getJsonArray("tool_calls"))
        .isEqualTo(message.getJsonArray("tool_calls"));

    JsonObject sent = upstream.received().get(0).json();
    assertThat(sent.getJsonArray("tools")).isEqualTo(tools);
    assertThat(sent.getString("tool_choice")).isEqualTo("auto");
    JsonArray messages = sent.getJsonArray("messages");
    assertThat(messages.getJsonObject(1).getJsonArray("tool_calls").getJsonObject(0).getString("id"))
        .isEqualTo("call_0");
    assertThat(messages.getJsonObject(2).getString("tool_call_id")).isEqualTo("call_0");
  }

  @Test
  void streamedToolCallsArriveFaithfullyFragmentByFragment() {
    List<JsonObject> deltas = List.of(
        new JsonObject().put("role", "assistant").put("content", null),
        toolCallDelta(0, "call_abc", "get_weather", ""),
        toolCallDelta(0, null, null, "{\"ci"),
        toolCallDelta(0, null, null, "ty\": \"Par"),
        toolCallDelta(0, null, null, "is\"}"),
        toolCallDelta(1, "call_def", "get_time", ""),
        toolCallDelta(1, null, null, "{\"tz\":"),
        toolCallDelta(1, null, null, "\"CET\"}"));
    List<String> frames = new ArrayList<>();
    deltas.forEach(delta -> frames.add(chunk(UPSTREAM_MODEL, delta, null)));
    frames.add(chunk(UPSTREAM_MODEL, new JsonObject(), "tool_calls"));
    frames.add(usageChunk(UPSTREAM_MODEL, 50, 30));
    frames.add(DONE);
    // 7-byte pieces: every line and event straddles writes.
    upstream.then(FakeUpstream.sseInPieces(frames, 7));

    HttpResponse<Buffer> response = client.chat(ApiClient.request("gpt", "Weather and time?").put("stream", true)
        .put("tools", new JsonArray().add(new JsonObject().put("type", "function")
            .put("function", new JsonObject().put("name", "get_weather")))));
    List<String> data = Sse.data(response.bodyAsString());
    assertThat(data).last().isEqualTo("[DONE]");
    List<JsonObject> received = new ArrayList<>();
    for (JsonObject chunk : Sse.json(response.bodyAsString())) {
      JsonObject delta = chunk.getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
      if (delta.containsKey("tool_calls")) {
        received.add(delta.getJsonArray("tool_calls").getJsonObject(0));
      }
    }
    List<JsonObject> expected = deltas.subList(1, deltas.size()).stream()
        .map(delta -> delta.getJsonArray("tool_calls").getJsonObject(0)).toList();
    assertThat(received).isEqualTo(expected);
    List<JsonObject> chunks = Sse.json(response.bodyAsString());
    assertThat(chunks.get(chunks.size() - 1).getJsonArray("choices").getJsonObject(0).getString("finish_reason"))
        .isEqualTo("tool_calls");
  }

  @Test
  void vendorExtrasStayOutAndVendorFinishReasonsAreMapped() {
    upstream.then(FakeUpstream.sse(List.of(
        chunk("glm-4.6", new JsonObject().put("role", "assistant").put("reasoning_content", "Let me think"), null),
        chunk("glm-4.6", new JsonObject().put("reasoning_content", " hard"), null),
        chunk("glm-4.6", new JsonObject().put("content", "No."), null),
        chunk("glm-4.6", new JsonObject(), "sensitive"), DONE)));
    HttpResponse<Buffer> response = client.chat(ApiClient.request("glm", "Tell me").put("stream", true));
    assertThat(response.bodyAsString()).doesNotContain("reasoning_content").doesNotContain("think");
    List<JsonObject> chunks = Sse.json(response.bodyAsString());
    assertThat(Sse.content(chunks)).isEqualTo("No.");
    assertThat(chunks.get(chunks.size() - 1).getJsonArray("choices").getJsonObject(0).getString("finish_reason"))
        .isEqualTo("content_filter");
    assertThat(upstream.received().get(0).path()).isEqualTo("/api/paas/v4/chat/completions");
    assertThat(upstream.received().get(0).headers().get("authorization")).isEqualTo("Bearer zai-key-abcdef");
  }

  @ParameterizedTest
  @CsvSource({"400,400,invalid_request_error", "401,401,authentication_error", "403,403,permission_error",
      "404,404,invalid_request_error", "408,504,timeout_error", "422,400,invalid_request_error",
      "429,429,rate_limit_error", "500,502,server_error", "502,502,server_error",
      "503,503,service_unavailable_error", "504,504,timeout_error"})
  void upstreamErrorsMapToOpenAiErrors(int upstreamStatus, int status, String type) {
    upstream.then(json(upstreamStatus, OpenAiWire.error("Upstream says no (" + upstreamStatus + ")",
        "some_type", "some_code")));
    HttpResponse<Buffer> response = client.chat(ApiClient.request("gpt", "Hi"));
    assertThat(response.statusCode()).isEqualTo(status);
    JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo(type);
    assertThat(error.getString("message")).contains("Upstream says no (" + upstreamStatus + ")");
    assertThat(error.getString("code")).isEqualTo("some_code");
    assertThat(upstream.count()).isEqualTo(1);
  }

  @Test
  void anUpstreamErrorEchoingTheKeyIsRedactedEverywhere() {
    upstream.then(json(401, OpenAiWire.error("Incorrect API key provided: " + KEY + ". Authorization: Bearer "
        + KEY, "invalid_request_error", "invalid_api_key")));
    HttpResponse<Buffer> response = client.chat(ApiClient.request("gpt", "Hi"));
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.bodyAsString()).doesNotContain(KEY).doesNotContain("Secr3tKey").contains("[redacted]");
    assertThat(client.get("/metrics").bodyAsString()).doesNotContain("Secr3tKey");
  }

  @Test
  void unknownSseLinesAreIgnoredButABrokenEventEndsTheStreamWithAnError() {
    upstream.then(FakeUpstream.sse(List.of(": keep-alive comment\n\n",
        chunk(UPSTREAM_MODEL, new JsonObject().put("role", "assistant").put("content", "A"), null),
        "this line is not an SSE field\r\n\r\n",
        chunk(UPSTREAM_MODEL, new JsonObject().put("content", "B"), "stop"), DONE)));
    HttpResponse<Buffer> fine = client.chat(ApiClient.request("gpt", "Hi").put("stream", true));
    assertThat(Sse.content(Sse.json(fine.bodyAsString()))).isEqualTo("AB");
    assertThat(Sse.data(fine.bodyAsString())).last().isEqualTo("[DONE]");

    upstream.then(FakeUpstream.sse(List.of(
        chunk(UPSTREAM_MODEL, new JsonObject().put("role", "assistant").put("content", "A"), null),
        "data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"delta\":{\"content\"\n\n", DONE)));
    HttpResponse<Buffer> broken = client.chat(ApiClient.request("gpt", "Hi").put("stream", true));
    List<String> data = Sse.data(broken.bodyAsString());
    assertThat(data).doesNotContain("[DONE]");
    JsonObject error = new JsonObject(data.get(data.size() - 1)).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("upstream_malformed_response");
  }

  @Test
  void aConnectionResetMidStreamEndsWithAnErrorEventAndNoDone() {
    upstream.then(FakeUpstream.sseThenReset(List.of(
        chunk(UPSTREAM_MODEL, new JsonObject().put("role", "assistant").put("content", ""), null),
        chunk(UPSTREAM_MODEL, new JsonObject().put("content", "partial"), null))));
    HttpResponse<Buffer> response = client.chat(ApiClient.request("gpt", "Hi").put("stream", true));
    assertThat(response.statusCode()).isEqualTo(200);
    List<String> data = Sse.data(response.bodyAsString());
    assertThat(data).doesNotContain("[DONE]");
    assertThat(Sse.content(Sse.json(response.bodyAsString()).stream().filter(c -> c.containsKey("choices"))
        .toList())).isEqualTo("partial");
    JsonObject error = new JsonObject(data.get(data.size() - 1)).getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo("network_error");
    assertThat(upstream.count()).isEqualTo(1);
  }

  @Test
  void aSlowFirstByteTimesOutWith504() {
    upstream.always(FakeUpstream.delayed(20_000, json(200, OpenAiWire.completion(UPSTREAM_MODEL, text("late"),
        "stop", 1, 1))));
    HttpResponse<Buffer> response = client.chat(ApiClient.request("gpt", "Hi"));
    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("type")).isEqualTo("timeout_error");

    HttpResponse<Buffer> stream = client.chat(ApiClient.request("gpt", "Hi").put("stream", true));
    assertThat(stream.statusCode()).isEqualTo(504);
  }

  @Test
  void aStalledStreamTimesOut() {
    upstream.then(FakeUpstream.sseThenStall(List.of(
        chunk(UPSTREAM_MODEL, new JsonObject().put("role", "assistant").put("content", "Hel"), null))));
    HttpResponse<Buffer> response = client.chat(ApiClient.request("gpt", "Hi").put("stream", true));
    List<String> data = Sse.data(response.bodyAsString());
    assertThat(data).doesNotContain("[DONE]");
    JsonObject error = new JsonObject(data.get(data.size() - 1)).getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo("timeout_error");
    assertThat(error.getString("message")).contains("stalled");
  }

  @Test
  void aClientThatGoesAwayCancelsTheUpstreamRequest() {
    upstream.then(FakeUpstream.sseThenStall(List.of(
        chunk(UPSTREAM_MODEL, new JsonObject().put("role", "assistant").put("content", "Hel"), null))));
    int closedBefore = upstream.closedConnections();
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      io.vertx.core.http.HttpClient http = server.httpClient(vertx);
      TestServer.await(http.request(io.vertx.core.http.HttpMethod.POST, "/v1/chat/completions")
          .compose(request -> request.putHeader("content-type", "application/json")
              .send(ApiClient.request("patient", "Hi").put("stream", true).toBuffer()))
          .compose(response -> {
            io.vertx.core.Promise<Void> firstBytes = io.vertx.core.Promise.promise();
            response.handler(buffer -> firstBytes.tryComplete());
            return firstBytes.future().compose(v -> response.request().connection().close());
          }));
      // The stream idle timeout is 10 minutes: only the client's departure can end the upstream call.
      await().atMost(java.time.Duration.ofSeconds(60))
          .until(() -> upstream.closedConnections() > closedBefore);
    } finally {
      TestServer.await(vertx.close());
    }
  }

  @Test
  void aClientThatLeavesANonStreamedCallCancelsTheUpstreamRequest() {
    upstream.then(FakeUpstream.delayed(600_000, FakeUpstream.json(200, new JsonObject())));
    leaveWhileTheUpstreamHoldsItsAnswer(ApiClient.request("unhurried", "Hi"));
  }

  @Test
  void aClientThatLeavesWhileTheStreamOpensCancelsTheUpstreamRequest() {
    upstream.then(FakeUpstream.delayed(600_000, FakeUpstream.sse(List.of("data: [DONE]\n\n"))));
    leaveWhileTheUpstreamHoldsItsAnswer(ApiClient.request("unhurried", "Hi").put("stream", true));
  }

  /**
   * Sends {@code body}, waits until the upstream has it, closes the client connection and expects the
   * upstream connection reset: with 10-minute timeouts only the client's departure can end the call.
   */
  private void leaveWhileTheUpstreamHoldsItsAnswer(JsonObject body) {
    int closedBefore = upstream.closedConnections();
    int receivedBefore = upstream.count();
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      io.vertx.core.http.HttpClientRequest request = TestServer.await(
          server.httpClient(vertx).request(io.vertx.core.http.HttpMethod.POST, "/v1/chat/completions"));
      request.putHeader("content-type", "application/json").send(body.toBuffer());
      await().atMost(java.time.Duration.ofSeconds(30)).until(() -> upstream.count() > receivedBefore);

      TestServer.await(request.connection().close());
      await().atMost(java.time.Duration.ofSeconds(10))
          .until(() -> upstream.closedConnections() > closedBefore);
    } finally {
      TestServer.await(vertx.close());
    }
  }

  private static JsonObject toolCall(String id, String name, String arguments) {
    return new JsonObject().put("id", id).put("type", "function")
        .put("function", new JsonObject().put("name", name).put("arguments", arguments));
  }
}

package ai.poncho.http;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.testing.Sse;
import ai.poncho.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every bad input gets OpenAI error JSON with the right status and the offending field named. */
@ExtendWith(VertxExtension.class)
class ErrorResponsesTest {

  private static TestServer server;

  @BeforeAll
  static void startServer() {
    JsonObject config = TestServer.config();
    config.getJsonObject("http").put("max_body_size", "4KB");
    config.getJsonObject("models")
        .put("text-only", new JsonObject().put("provider", "mock").put("max_tokens", 100)
            .put("supports", new JsonObject().put("vision", false).put("tools", false).put("stream", false)))
        .put("deepseek-chat", new JsonObject().put("provider", "deepseek"));
    server = TestServer.start(config);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  private static JsonObject user(String text) {
    return new JsonObject().put("role", "user").put("content", text);
  }

  private static JsonObject chat(Consumer<JsonObject> change) {
    JsonObject body = new JsonObject().put("model", "mock").put("messages", new JsonArray().add(user("hi")));
    change.accept(body);
    return body;
  }

  static Stream<Arguments> invalidRequests() {
    JsonObject image = new JsonObject().put("role", "user").put("content", new JsonArray()
        .add(new JsonObject().put("type", "image_url").put("image_url", new JsonObject().put("url", "https://x/a.png"))));
    return Stream.of(
        Arguments.of("missing model", chat(b -> b.remove("model")), 400, "model", "missing_required_parameter"),
        Arguments.of("model not a string", chat(b -> b.put("model", 5)), 400, "model", "invalid_type"),
        Arguments.of("missing messages", chat(b -> b.remove("messages")), 400, "messages", "missing_required_parameter"),
        Arguments.of("empty messages", chat(b -> b.put("messages", new JsonArray())), 400, "messages", "empty_array"),
        Arguments.of("bad role", chat(b -> b.put("messages", new JsonArray().add(new JsonObject()
            .put("role", "wizard").put("content", "x")))), 400, "messages[0].role", "invalid_value"),
        Arguments.of("missing content", chat(b -> b.put("messages", new JsonArray().add(new JsonObject()
            .put("role", "user")))), 400, "messages[0].content", "missing_required_parameter"),
        Arguments.of("tool without id", chat(b -> b.getJsonArray("messages").add(new JsonObject()
            .put("role", "tool").put("content", "42"))), 400, "messages[1].tool_call_id", "missing_required_parameter"),
        Arguments.of("unknown part type", chat(b -> b.put("messages", new JsonArray().add(new JsonObject()
            .put("role", "user").put("content", new JsonArray().add(new JsonObject().put("type", "video")))))),
            400, "messages[0].content[0].type", "invalid_value"),
        Arguments.of("temperature above 2", chat(b -> b.put("temperature", 2.5)), 400, "temperature", "invalid_value"),
        Arguments.of("temperature below 0", chat(b -> b.put("temperature", -0.1)), 400, "temperature", "invalid_value"),
        Arguments.of("temperature not a number", chat(b -> b.put("temperature", "hot")), 400, "temperature",
            "invalid_type"),
        Arguments.of("top_p above 1", chat(b -> b.put("top_p", 1.5)), 400, "top_p", "invalid_value"),
        Arguments.of("max_tokens zero", chat(b -> b.put("max_tokens", 0)), 400, "max_tokens", "invalid_value"),
        Arguments.of("max_tokens fractional", chat(b -> b.put("max_tokens", 1.5)), 400, "max_tokens", "invalid_type"),
        Arguments.of("max_tokens above model maximum", chat(b -> b.put("model", "text-only").put("max_tokens", 101)),
            400, "max_tokens", "invalid_value"),
        Arguments.of("n above 1", chat(b -> b.put("n", 2)), 400, "n", "unsupported_value"),
        Arguments.of("stream not boolean", chat(b -> b.put("stream", "yes")), 400, "stream", "invalid_type"),
        Arguments.of("stream_options without stream", chat(b -> b.put("stream_options",
            new JsonObject().put("include_usage", true))), 400, "stream_options", "invalid_value"),
        Arguments.of("too many stop sequences", chat(b -> b.put("stop", new JsonArray(List.of("a", "b", "c", "d", "e")))),
            400, "stop", "invalid_value"),
        Arguments.of("tools not an array", chat(b -> b.put("tools", "all")), 400, "tools", "invalid_type"),
        Arguments.of("bad tool_choice", chat(b -> b.put("tool_choice", "sometimes")), 400, "tool_choice",
            "invalid_value"),
        Arguments.of("image for a model without vision", chat(b -> b.put("model", "text-only")
            .put("messages", new JsonArray().add(image))), 400, "messages", "unsupported_content"),
        Arguments.of("tools for a model without tools", chat(b -> b.put("model", "text-only").put("tools",
            new JsonArray().add(new JsonObject().put("type", "function").put("function",
                new JsonObject().put("name", "f")))) ), 400, "tools", "unsupported_parameter"),
        Arguments.of("stream for a model without streaming", chat(b -> b.put("model", "text-only").put("stream", true)),
            400, "stream", "unsupported_parameter"),
        Arguments.of("bad mock metadata", chat(b -> b.put("metadata", new JsonObject().put("mock_ttft_ms", "soon"))),
            400, "metadata.mock_ttft_ms", "invalid_value"),
        Arguments.of("unknown model", chat(b -> b.put("model", "gpt-nonexistent")), 404, "model", "model_not_found"),
        Arguments.of("model without API key", chat(b -> b.put("model", "deepseek-chat")), 503, "model",
            "model_not_configured"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidRequests")
  void invalidRequestIsRejected(String name, JsonObject body, int status, String param, String code, Vertx vertx,
                                VertxTestContext ctx) {
    server.webClient(vertx).post("/v1/chat/completions").sendJsonObject(body)
        .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
          assertOpenAiError(response, status);
          JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
          assertThat(error.getString("param")).isEqualTo(param);
          assertThat(error.getString("code")).isEqualTo(code);
          ctx.completeNow();
        })));
  }

  @Test
  void malformedJsonIs400(Vertx vertx, VertxTestContext ctx) {
    send(vertx, HttpMethod.POST, "/v1/chat/completions", "application/json", "{\"model\": \"mock\", ")
        .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
          assertOpenAiError(response, 400);
          assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("invalid_json");
          ctx.completeNow();
        })));
  }

  @Test
  void jsonThatIsNotAnObjectIs400(Vertx vertx, VertxTestContext ctx) {
    send(vertx, HttpMethod.POST, "/v1/chat/completions", "application/json", "[1,2,3]")
        .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
          assertOpenAiError(response, 400);
          ctx.completeNow();
        })));
  }

  @Test
  void emptyBodyIs400(Vertx vertx, VertxTestContext ctx) {
    send(vertx, HttpMethod.POST, "/v1/chat/completions", "application/json", "")
        .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
          assertOpenAiError(response, 400);
          ctx.completeNow();
        })));
  }

  @Test
  void wrongContentTypeIs415(Vertx vertx, VertxTestContext ctx) {
    send(vertx, HttpMethod.POST, "/v1/chat/completions", "text/plain", chat(b -> { }).encode())
        .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
          assertOpenAiError(response, 415);
          ctx.completeNow();
        })));
  }

  @Test
  void jsonWithCharsetIsAccepted(Vertx vertx, VertxTestContext ctx) {
    send(vertx, HttpMethod.POST, "/v1/chat/completions", "application/json; charset=utf-8", chat(b -> { }).encode())
        .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(200);
          ctx.completeNow();
        })));
  }

  @Test
  void bodyOverTheLimitIs413(Vertx vertx, VertxTestContext ctx) {
    String big = chat(b -> b.put("messages", new JsonArray().add(user("x".repeat(8192))))).encode();
    send(vertx, HttpMethod.POST, "/v1/chat/completions", "application/json", big)
        .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
          assertOpenAiError(response, 413);
          ctx.completeNow();
        })));
  }

  @Test
  void unknownRouteIs404(Vertx vertx, VertxTestContext ctx) {
    send(vertx, HttpMethod.GET, "/v1/nothing-here", null, null)
        .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
          assertOpenAiError(response, 404);
          ctx.completeNow();
        })));
  }

  @Test
  void unknownModelIdIs404(Vertx vertx, VertxTestContext ctx) {
    send(vertx, HttpMethod.GET, "/v1/models/does-not-exist", null, null)
        .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
          assertOpenAiError(response, 404);
          assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("model_not_found");
          ctx.completeNow();
        })));
  }

  @Test
  void wrongMethodIs405(Vertx vertx, VertxTestContext ctx) {
    send(vertx, HttpMethod.GET, "/v1/chat/completions", null, null)
        .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
          assertOpenAiError(response, 405);
          ctx.completeNow();
        })));
  }

  static Stream<Arguments> upstreamStatuses() {
    return Stream.of(Arguments.of(500, 502, "server_error"), Arguments.of(503, 503, "service_unavailable_error"),
        Arguments.of(429, 429, "rate_limit_error"), Arguments.of(504, 504, "timeout_error"),
        Arguments.of(401, 401, "authentication_error"));
  }

  @ParameterizedTest(name = "upstream {0} -> {1}")
  @MethodSource("upstreamStatuses")
  void upstreamFailureMapsToItsMeaning(int upstream, int status, String type, Vertx vertx, VertxTestContext ctx) {
    JsonObject body = chat(b -> b.put("metadata", new JsonObject().put("mock_error_status", upstream)));
    server.webClient(vertx).post("/v1/chat/completions").sendJsonObject(body)
        .compose(plain -> {
          ctx.verify(() -> {
            assertOpenAiError(plain, status);
            assertThat(plain.bodyAsJsonObject().getJsonObject("error").getString("type")).isEqualTo(type);
          });
          return server.webClient(vertx).post("/v1/chat/completions").sendJsonObject(body.copy().put("stream", true));
        })
        .onComplete(ctx.succeeding(streamed -> ctx.verify(() -> {
          assertOpenAiError(streamed, status);
          ctx.completeNow();
        })));
  }

  @Test
  void midStreamFailureEndsWithAnErrorEventAndNoDone(Vertx vertx, VertxTestContext ctx) {
    JsonObject body = chat(b -> b.put("stream", true).put("metadata", new JsonObject()
        .put("mock_chunks", 10).put("mock_fail_after_chunks", "3")));
    server.webClient(vertx).post("/v1/chat/completions").sendJsonObject(body)
        .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(200);
          List<String> data = Sse.data(response.bodyAsString());
          assertThat(data).doesNotContain("[DONE]");
          JsonObject last = new JsonObject(data.get(data.size() - 1));
          assertThat(last.getJsonObject("error").getString("type")).isEqualTo("server_error");
          assertThat(last.getJsonObject("error").getString("message")).isNotBlank();
          assertThat(Sse.content(Sse.json(response.bodyAsString()).subList(0, data.size() - 1)))
              .isEqualTo("Mock reply to:");
          ctx.completeNow();
        })));
  }

  private io.vertx.core.Future<HttpResponse<Buffer>> send(Vertx vertx, HttpMethod method, String path,
                                                          String contentType, String body) {
    WebClient client = server.webClient(vertx);
    var request = client.request(method, path);
    if (contentType != null) {
      request.putHeader("content-type", contentType);
    }
    return body == null ? request.send() : request.sendBuffer(Buffer.buffer(body));
  }

  static void assertOpenAiError(HttpResponse<Buffer> response, int status) {
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.getHeader("content-type")).startsWith("application/json");
    assertThat(response.getHeader("x-request-id")).isNotBlank();
    JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
    assertThat(error).isNotNull();
    assertThat(error.fieldNames()).contains("message", "type", "param", "code");
    assertThat(error.getString("message")).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(error.getString("type")).isNotBlank();
  }
}

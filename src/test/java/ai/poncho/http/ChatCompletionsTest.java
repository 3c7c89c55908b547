package ai.poncho.http;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.testing.Sse;
import ai.poncho.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class ChatCompletionsTest {

  private static TestServer server;
  private WebClient client;

  @BeforeAll
  static void startServer() {
    server = TestServer.start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void client(Vertx vertx) {
    client = server.webClient(vertx);
  }

  private static JsonObject request(String text) {
    return new JsonObject().put("model", "mock")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text)));
  }

  @Test
  void nonStreamingCompletionIsAnOpenAiChatCompletion(VertxTestContext ctx) {
    client.post("/v1/chat/completions").putHeader("x-request-id", "test-req-1")
        .sendJsonObject(request("Hello gateway"))
        .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(200);
          assertThat(response.getHeader("content-type")).startsWith("application/json");
          assertThat(response.getHeader("x-request-id")).isEqualTo("test-req-1");
          JsonObject body = response.bodyAsJsonObject();
          assertThat(body.getString("id")).startsWith("chatcmpl-");
          assertThat(body.getString("object")).isEqualTo("chat.completion");
          assertThat(body.getLong("created")).isPositive();
          assertThat(body.getString("model")).isEqualTo("mock");
          JsonObject choice = body.getJsonArray("choices").getJsonObject(0);
          assertThat(choice.getInteger("index")).isZero();
          assertThat(choice.getString("finish_reason")).isEqualTo("stop");
          assertThat(choice.getJsonObject("message").getString("role")).isEqualTo("assistant");
          assertThat(choice.getJsonObject("message").getString("content")).isEqualTo("Mock reply to: Hello gateway");
          JsonObject usage = body.getJsonObject("usage");
          assertThat(usage.getInteger("completion_tokens")).isEqualTo(5);
          assertThat(usage.getInteger("prompt_tokens")).isPositive();
          assertThat(usage.getInteger("total_tokens"))
              .isEqualTo(usage.getInteger("prompt_tokens") + usage.getInteger("completion_tokens"));
          ctx.completeNow();
        })));
  }

  @Test
  void streamingCompletionIsOpenAiSseEndingWithDone(VertxTestContext ctx) {
    client.post("/v1/chat/completions").sendJsonObject(request("Stream me please").put("stream", true))
        .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(200);
          assertThat(response.getHeader("content-type")).startsWith("text/event-stream");
          assertThat(response.getHeader("x-request-id")).isNotBlank();
          String body = response.bodyAsString();
          List<String> data = Sse.data(body);
          assertThat(data).last().isEqualTo("[DONE]");
          List<JsonObject> chunks = Sse.json(body);
          assertThat(chunks).allSatisfy(chunk -> {
            assertThat(chunk.getString("object")).isEqualTo("chat.completion.chunk");
            assertThat(chunk.getString("model")).isEqualTo("mock");
            assertThat(chunk.containsKey("usage")).isFalse();
          });
          assertThat(chunks.stream().map(c -> c.getString("id")).distinct()).hasSize(1);
          JsonObject first = chunks.get(0).getJsonArray("choices").getJsonObject(0);
          assertThat(first.getJsonObject("delta").getString("role")).isEqualTo("assistant");
          assertThat(Sse.content(chunks)).isEqualTo("Mock reply to: Stream me please");
          JsonObject last = chunks.get(chunks.size() - 1).getJsonArray("choices").getJsonObject(0);
          assertThat(last.getString("finish_reason")).isEqualTo("stop");
          assertThat(last.getJsonObject("delta")).isEqualTo(new JsonObject());
          ctx.completeNow();
        })));
  }

  @Test
  void includeUsageAddsAFinalUsageChunkAndNullUsageElsewhere(VertxTestContext ctx) {
    JsonObject request = request("Count my tokens").put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true));
    client.post("/v1/chat/completions").sendJsonObject(request)
        .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
          List<JsonObject> chunks = Sse.json(response.bodyAsString());
          JsonObject usageChunk = chunks.get(chunks.size() - 1);
          assertThat(usageChunk.getJsonArray("choices")).isEmpty();
          assertThat(usageChunk.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(6);
          assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(chunk -> {
            assertThat(chunk.containsKey("usage")).isTrue();
            assertThat(chunk.getValue("usage")).isNull();
          });
          ctx.completeNow();
        })));
  }

  @Test
  void arrayContentToolsAndPassThroughFieldsAreAccepted(VertxTestContext ctx) {
    JsonObject request = new JsonObject().put("model", "mock")
        .put("messages", new JsonArray()
            .add(new JsonObject().put("role", "developer").put("content", "Be brief."))
            .add(new JsonObject().put("role", "user").put("content", new JsonArray()
                .add(new JsonObject().put("type", "text").put("text", "Describe"))
                .add(new JsonObject().put("type", "image_url")
                    .put("image_url", new JsonObject().put("url", "https://example.com/a.png"))))))
        .put("temperature", 0.2).put("top_p", 0.9).put("max_completion_tokens", 100).put("stop", "END")
        .put("n", 1).put("user", "u-1").put("seed", 7).put("metadata", new JsonObject().put("team", "a"))
        .put("tools", new JsonArray().add(new JsonObject().put("type", "function")
            .put("function", new JsonObject().put("name", "lookup").put("parameters", new JsonObject()))))
        .put("tool_choice", "auto");
    client.post("/v1/chat/completions").sendJsonObject(request)
        .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(200);
          assertThat(response.bodyAsJsonObject().getJsonArray("choices").getJsonObject(0).getJsonObject("message")
              .getString("content")).isEqualTo("Mock reply to: Describe");
          ctx.completeNow();
        })));
  }

  @Test
  void forcedToolChoiceReturnsAToolCall(VertxTestContext ctx) {
    JsonObject request = request("weather in Lima")
        .put("tools", new JsonArray().add(new JsonObject().put("type", "function")
            .put("function", new JsonObject().put("name", "get_weather"))))
        .put("tool_choice", "required");
    client.post("/v1/chat/completions").sendJsonObject(request)
        .onComplete(ctx.succeeding((HttpResponse<Buffer> response) -> ctx.verify(() -> {
          JsonObject choice = response.bodyAsJsonObject().getJsonArray("choices").getJsonObject(0);
          assertThat(choice.getString("finish_reason")).isEqualTo("tool_calls");
          JsonObject call = choice.getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0);
          assertThat(call.getString("id")).startsWith("call_");
          assertThat(call.getString("type")).isEqualTo("function");
          assertThat(call.getJsonObject("function").getString("name")).isEqualTo("get_weather");
          assertThat(new JsonObject(call.getJsonObject("function").getString("arguments")).getString("query"))
              .isEqualTo("weather in Lima");
          ctx.completeNow();
        })));
  }

  @Test
  void modelsAreListedFromTheRegistry(VertxTestContext ctx) {
    client.get("/v1/models").send().compose(list -> {
      ctx.verify(() -> {
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.bodyAsJsonObject().getString("object")).isEqualTo("list");
        JsonObject model = list.bodyAsJsonObject().getJsonArray("data").getJsonObject(0);
        assertThat(model.getString("id")).isEqualTo("mock");
        assertThat(model.getString("object")).isEqualTo("model");
        assertThat(model.getString("owned_by")).isEqualTo("mock");
      });
      return client.get("/v1/models/mock").send();
    }).onComplete(ctx.succeeding(one -> ctx.verify(() -> {
      assertThat(one.statusCode()).isEqualTo(200);
      assertThat(one.bodyAsJsonObject().getString("id")).isEqualTo("mock");
      ctx.completeNow();
    })));
  }
}

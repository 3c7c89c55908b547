package ai.poncho.ws;

import static ai.poncho.testing.WsClient.chat;
import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.testing.TestServer;
import ai.poncho.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The WebSocket protocol: concurrent generations on one socket, their frames, and frame-level errors. */
@ExtendWith(VertxExtension.class)
class WebSocketApiTest {

  private static TestServer server;

  @BeforeAll
  static void startServer() {
    server = TestServer.start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  private static JsonObject slow(int delayMs) {
    return new JsonObject().put("mock_chunk_delay_ms", String.valueOf(delayMs));
  }

  @Test
  void concurrentGenerationsInterleaveOnOneSocketAndEachEndsWithItsOwnContent(Vertx vertx) {
    WsClient ws = WsClient.connect(vertx, server.port());
    List<String> ids = List.of("a", "b", "c");
    for (String id : ids) {
      ws.send(chat(id, "tell me about " + id + " in several words please", slow(30)));
    }
    for (String id : ids) {
      JsonObject done = ws.awaitEnd(id);
      assertThat(done.getString("type")).isEqualTo("done");
      assertThat(done.getString("finish_reason")).isEqualTo("stop");
      assertThat(done.getString("model")).isEqualTo("mock");
      JsonObject usage = done.getJsonObject("usage");
      assertThat(usage.getInteger("completion_tokens")).isEqualTo(11);
      assertThat(usage.getInteger("total_tokens"))
          .isEqualTo(usage.getInteger("prompt_tokens") + usage.getInteger("completion_tokens"));
      assertThat(ws.content(id)).isEqualTo("Mock reply to: tell me about " + id + " in several words please");
      List<JsonObject> frames = ws.frames(id);
      assertThat(frames.get(0).getJsonObject("delta").getString("role")).isEqualTo("assistant");
      assertThat(frames.get(frames.size() - 1)).isEqualTo(done);
      assertThat(frames.subList(0, frames.size() - 1)).allSatisfy(f -> assertThat(f.getString("type")).isEqualTo("chunk"));
    }
    List<String> order = ws.frames().stream().map(f -> f.getString("id")).toList();
    assertThat(order.indexOf("c")).as("c started before a finished").isLessThan(order.lastIndexOf("a"));
    ws.close();
  }

  @Test
  void toolCallDeltasAreStreamed(Vertx vertx) {
    WsClient ws = WsClient.connect(vertx, server.port());
    JsonObject frame = chat("t1", "weather in Lima", null);
    frame.getJsonObject("request")
        .put("tools", new JsonArray().add(new JsonObject().put("type", "function")
            .put("function", new JsonObject().put("name", "get_weather"))))
        .put("tool_choice", "required");
    ws.send(frame);
    JsonObject done = ws.awaitEnd("t1");
    assertThat(done.getString("finish_reason")).isEqualTo("tool_calls");
    StringBuilder arguments = new StringBuilder();
    String name = null;
    for (JsonObject chunk : ws.frames("t1")) {
      JsonArray calls = chunk.getJsonObject("delta", new JsonObject()).getJsonArray("tool_calls");
      if (calls != null) {
        JsonObject call = calls.getJsonObject(0);
        assertThat(call.getInteger("index")).isZero();
        JsonObject function = call.getJsonObject("function");
        if (function.getString("name") != null) {
          name = function.getString("name");
          assertThat(call.getString("id")).startsWith("call_");
        }
        arguments.append(function.getString("arguments"));
      }
    }
    assertThat(name).isEqualTo("get_weather");
    assertThat(new JsonObject(arguments.toString()).getString("query")).isEqualTo("weather in Lima");
    ws.close();
  }

  @Test
  void pingIsAnsweredWithPong(Vertx vertx) {
    WsClient ws = WsClient.connect(vertx, server.port());
    ws.send(new JsonObject().put("type", "ping"));
    assertThat(ws.awaitFrame("pong", null, 1)).isEqualTo(new JsonObject().put("type", "pong"));
    ws.close();
  }

  @Test
  void badFramesGetErrorFramesAndTheSocketKeepsWorking(Vertx vertx) {
    WsClient ws = WsClient.connect(vertx, server.port());
    ws.sendText("{not json");
    assertError(ws.awaitFrame("error", null, 1), "invalid_json");
    ws.sendText("[1,2]");
    assertError(ws.awaitFrame("error", null, 2), "invalid_frame");
    ws.send(new JsonObject().put("type", "dance").put("id", "x1"));
    assertError(ws.awaitFrame("error", "x1", 1), "unknown_frame_type");
    ws.send(new JsonObject().put("id", "x2"));
    assertError(ws.awaitFrame("error", "x2", 1), "invalid_frame");
    ws.send(new JsonObject().put("type", "chat").put("request", chat("x", "hi", null).getJsonObject("request")));
    JsonObject noId = ws.awaitFrame("error", null, 3);
    assertError(noId, "invalid_frame");
    assertThat(noId.getJsonObject("error").getString("param")).isEqualTo("id");
    ws.send(new JsonObject().put("type", "chat").put("id", "x3"));
    assertError(ws.awaitFrame("error", "x3", 1), "invalid_frame");
    ws.send(new JsonObject().put("type", "chat").put("id", "x4").put("request", new JsonObject().put("model", "mock")));
    JsonObject invalidRequest = ws.awaitFrame("error", "x4", 1);
    assertThat(invalidRequest.getJsonObject("error").getString("param")).isEqualTo("messages");
    ws.send(chat("x5", "no-such-model", "hi", null));
    JsonObject unknownModel = ws.awaitFrame("error", "x5", 1);
    assertThat(unknownModel.getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
    ws.send(new JsonObject().put("type", "prompt").put("id", "x6"));
    assertError(ws.awaitFrame("error", "x6", 1), "invalid_frame");
    ws.send(new JsonObject().put("type", "cancel").put("id", "nothing-here"));
    assertError(ws.awaitFrame("error", "nothing-here", 1), "unknown_id");

    ws.send(chat("ok", "still alive", null));
    assertThat(ws.awaitEnd("ok").getString("finish_reason")).isEqualTo("stop");
    assertThat(ws.content("ok")).isEqualTo("Mock reply to: still alive");
    assertThat(ws.isClosed()).isFalse();
    ws.close();
  }

  @Test
  void promptFrameRunsOverThePromptStreamAndReportsFailuresWithItsId(Vertx vertx) {
    WsClient ws = WsClient.connect(vertx, server.port());
    ws.send(new JsonObject().put("type", "prompt").put("id", "p1").put("name", "no-such-prompt")
        .put("input", new JsonObject().put("topic", "otters")));
    JsonObject error = ws.awaitEnd("p1");
    assertThat(error.getString("type")).isEqualTo("error");
    assertThat(error.getJsonObject("error").getString("message")).isNotBlank();
    assertThat(error.getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
    assertThat(ws.isClosed()).isFalse();
    ws.close();
  }

  @Test
  void promptFrameRendersTheShippedPromptAndStreamsItsCompletion(Vertx vertx) {
    WsClient ws = WsClient.connect(vertx, server.port());
    ws.send(new JsonObject().put("type", "prompt").put("id", "p2").put("name", "fashion/sketch_description")
        .put("input", new JsonObject().put("sketch_url", "https://example.com/sketch.png").put("notes", "linen")));
    JsonObject done = ws.awaitEnd("p2");
    assertThat(done.getString("type")).isEqualTo("done");
    assertThat(done.getString("finish_reason")).isEqualTo("stop");
    assertThat(done.getString("model")).isEqualTo("mock");
    assertThat(ws.content("p2"))
        .isEqualTo("Mock reply to: Describe the garment in this sketch (designer notes: linen).");
    ws.close();
  }

  @Test
  void upstreamFailureMidStreamEndsThatGenerationWithAnErrorFrame(Vertx vertx) {
    WsClient ws = WsClient.connect(vertx, server.port());
    ws.send(chat("fails", "one two three four five", new JsonObject().put("mock_fail_after_chunks", "2")));
    ws.send(chat("fine", "unaffected", null));
    JsonObject error = ws.awaitEnd("fails");
    assertError(error, "upstream_stream_error");
    assertThat(error.getJsonObject("error").getString("type")).isEqualTo("server_error");
    assertThat(ws.content("fails")).isEqualTo("Mock reply");
    assertThat(ws.awaitEnd("fine").getString("finish_reason")).isEqualTo("stop");
    ws.close();
  }

  @Test
  void duplicateIdInFlightIsAnErrorAndTheFirstGenerationCompletes(Vertx vertx) {
    WsClient ws = WsClient.connect(vertx, server.port());
    ws.send(chat("same", "first one with a few words", slow(50)));
    ws.send(chat("same", "second one", null));
    JsonObject error = ws.awaitFrame("error", "same", 1);
    assertError(error, "duplicate_id");
    JsonObject done = ws.awaitFrame("done", "same", 1);
    assertThat(done.getString("finish_reason")).isEqualTo("stop");
    assertThat(ws.content("same")).isEqualTo("Mock reply to: first one with a few words");
    ws.send(chat("same", "reused after it ended", null));
    assertThat(ws.awaitFrame("done", "same", 2).getString("finish_reason")).isEqualTo("stop");
    ws.close();
  }

  @Test
  void plainHttpGetOnTheWebSocketPathIsAskedToUpgrade(Vertx vertx) {
    WebClient client = server.webClient(vertx);
    HttpResponse<Buffer> response = TestServer.await(client.get(WsClient.PATH).send());
    client.close();
    assertThat(response.statusCode()).isEqualTo(426);
    assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("upgrade_required");
  }

  static void assertError(JsonObject frame, String code) {
    assertThat(frame.getString("type")).isEqualTo("error");
    JsonObject error = frame.getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo(code);
    assertThat(error.getString("type")).isNotBlank();
    assertThat(error.getString("message")).isNotBlank();
  }
}

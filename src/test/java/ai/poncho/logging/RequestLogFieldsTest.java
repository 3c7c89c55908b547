package ai.poncho.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.testing.AuthClient;
import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.JsonLogLines;
import ai.poncho.testing.TestServer;
import ai.poncho.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every log line of a request carries its request_id, key_id and model, in JSON lines written through
 * the asynchronous appender: lines of the HTTP verticle (access log), of prompt execution, of dispatch
 * (retries) and of the provider's callbacks (upstream answered or failed), for plain, streamed and
 * {@code prompt:} calls.
 */
class RequestLogFieldsTest {

  private static final String MASTER = AuthClient.newMasterKey();

  @TempDir
  static Path prompts;

  private static FakeUpstream upstream;
  private static TestServer server;
  private static Vertx clientVertx;
  private static WebClient client;
  private static String userKey;
  private static String keyId;

  @BeforeAll
  static void start() throws IOException {
    Files.writeString(prompts.resolve("hello.prompt"), "---\nmodel: flaky\n---\nSay hello to {{name}}.");
    upstream = FakeUpstream.start();
    JsonObject config = AuthClient.config(MASTER).put("prompts", new JsonObject().put("dir", prompts.toString()));
    config.getJsonObject("http").put("access_log", true);
    config.getJsonObject("models").put("flaky", new JsonObject().put("provider", "openai")
        .put("api_key", "sk-upstream-secret").put("base_url", upstream.baseUrl()).put("max_retries", 1)
        .put("retry_initial_backoff", "10ms").put("circuit_breaker", new JsonObject().put("enabled", false)));
    server = TestServer.start(config);
    clientVertx = Vertx.vertx();
    client = server.webClient(clientVertx);
    try (AuthClient auth = new AuthClient(server)) {
      JsonObject created = auth.createKey(MASTER, AuthClient.key("user"));
      userKey = created.getString("key");
      keyId = created.getString("id");
    }
  }

  @AfterAll
  static void stop() {
    TestServer.await(clientVertx.close());
    server.close();
    upstream.close();
  }

  private static FakeUpstream.Responder failure() {
    return FakeUpstream.json(500, new JsonObject().put("error", new JsonObject().put("message", "boom")
        .put("type", "server_error")));
  }

  private static FakeUpstream.Responder answer() {
    return FakeUpstream.json(200, new JsonObject().put("id", "chatcmpl-1").put("object", "chat.completion")
        .put("created", 1741569952).put("model", "up")
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0)
            .put("message", new JsonObject().put("role", "assistant").put("content", "hi"))
            .put("finish_reason", "stop")))
        .put("usage", new JsonObject().put("prompt_tokens", 5).put("completion_tokens", 1).put("total_tokens", 6)));
  }

  private static FakeUpstream.Responder stream() {
    return FakeUpstream.sse(List.of(
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up\",\"choices\":"
            + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up\",\"choices\":"
            + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,\"total_tokens\":6}}\n\n",
        "data: [DONE]\n\n"));
  }

  private static HttpResponse<Buffer> post(String path, String requestId, JsonObject body) {
    return TestServer.await(client.post(path).bearerTokenAuthentication(userKey).putHeader("x-request-id", requestId)
        .sendJsonObject(body));
  }

  private static JsonObject chat(String model) {
    return new JsonObject().put("model", model).put("messages", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", "Hello")));
  }

  /** The lines of {@code requestId}, once its access line and both upstream attempts' lines are written. */
  private static List<JsonObject> linesOf(JsonLogLines log, String requestId, int upstreamLines) {
    await().atMost(Duration.ofSeconds(5)).until(() -> of(log, requestId).stream()
        .filter(line -> line.getString("logger").endsWith("HttpChatProvider")).count() >= upstreamLines
        && of(log, requestId).stream().anyMatch(line -> line.getString("logger").equals("poncho.access")));
    return of(log, requestId);
  }

  private static List<JsonObject> of(JsonLogLines log, String requestId) {
    return log.lines().stream().filter(line -> requestId.equals(line.getString("request_id"))).toList();
  }

  private static void assertCorrelated(JsonLogLines log, List<JsonObject> lines, String requestId) {
    assertThat(lines).extracting(line -> line.getString("logger")).contains("poncho.access",
        "ai.poncho.model.Failover", "ai.poncho.provider.http.HttpChatProvider");
    assertThat(lines).allSatisfy(line -> {
      assertThat(line.getString("key_id")).as(line.encode()).isEqualTo(keyId);
      assertThat(line.getString("model")).as(line.encode()).isNotBlank();
      assertThat(line.getString("ts")).isNotBlank();
      assertThat(line.getString("level")).isNotBlank();
      assertThat(line.getString("message")).isNotBlank();
    });
    // A line that names the request in its text was logged with its fields too.
    assertThat(log.lines()).filteredOn(line -> line.getString("message").contains(requestId))
        .allSatisfy(line -> assertThat(line.getString("request_id")).as(line.encode()).isEqualTo(requestId));
  }

  @Test
  void aRetriedCallLogsItsFieldsOnEverySide() {
    upstream.reset();
    upstream.then(failure()).then(answer());
    try (JsonLogLines log = JsonLogLines.capture("ai.poncho")) {
      HttpResponse<Buffer> response = post("/v1/chat/completions", "req-plain-1", chat("flaky"));
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      List<JsonObject> lines = linesOf(log, "req-plain-1", 2);
      assertCorrelated(log, lines, "req-plain-1");
      assertThat(lines).filteredOn(line -> !line.getString("logger").equals("poncho.access"))
          .allSatisfy(line -> assertThat(line.getString("model")).isEqualTo("flaky"));
      JsonObject access = lines.stream().filter(line -> line.getString("logger").equals("poncho.access"))
          .findFirst().orElseThrow();
      assertThat(access.getMap()).containsAllEntriesOf(Map.of("method", "POST", "path", "/v1/chat/completions",
          "route", "/v1/chat/completions", "status", 200, "served_model", "flaky", "prompt_tokens", 5,
          "completion_tokens", 1, "total_tokens", 6));
      assertThat(access.getLong("duration_ms")).isNotNegative();
      assertThat(access.getLong("bytes")).isPositive();
    }
  }

  @Test
  void aStreamLogsItsFieldsOnEverySide() {
    upstream.reset();
    upstream.then(failure()).then(stream());
    try (JsonLogLines log = JsonLogLines.capture("ai.poncho")) {
      HttpResponse<Buffer> response = post("/v1/chat/completions", "req-stream-1",
          chat("flaky").put("stream", true).put("stream_options", new JsonObject().put("include_usage", true)));
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      List<JsonObject> lines = linesOf(log, "req-stream-1", 2);
      assertCorrelated(log, lines, "req-stream-1");
      JsonObject access = lines.stream().filter(line -> line.getString("logger").equals("poncho.access"))
          .findFirst().orElseThrow();
      assertThat(access.getInteger("total_tokens")).isEqualTo(6);

      // The next stream on the same event loop logs with its own fields, not the first one's.
      upstream.then(failure()).then(stream());
      assertThat(post("/v1/chat/completions", "req-stream-2", chat("flaky").put("stream", true)).statusCode())
          .isEqualTo(200);
      assertCorrelated(log, linesOf(log, "req-stream-2", 2), "req-stream-2");
    }
  }

  @Test
  void aWebSocketGenerationLogsItsOwnFieldsOnEverySide() {
    upstream.reset();
    upstream.then(failure()).then(stream());
    try (JsonLogLines log = JsonLogLines.capture("ai.poncho")) {
      WsClient ws = WsClient.connect(clientVertx.createWebSocketClient(), WsClient.options(server.port())
          .addHeader("Authorization", "Bearer " + userKey).addHeader("x-request-id", "req-ws-1"));
      ws.send(WsClient.chat("g1", "flaky", "Hello", null));
      assertThat(ws.awaitEnd("g1").getString("finish_reason")).isEqualTo("stop");
      List<JsonObject> lines = linesOf(log, "req-ws-1:g1", 2);
      assertCorrelated(log, lines, "req-ws-1:g1");
      assertThat(lines).allSatisfy(line -> assertThat(line.getString("model")).isEqualTo("flaky"));
      JsonObject access = lines.stream().filter(line -> line.getString("logger").equals("poncho.access"))
          .findFirst().orElseThrow();
      assertThat(access.getMap()).containsAllEntriesOf(Map.of("path", "/api/v1/ws", "generation", "g1",
          "status", 200, "finish_reason", "stop", "served_model", "flaky", "total_tokens", 6));
      ws.close();
      // The handshake's own line, once the socket is gone, keeps the connection's id.
      await().atMost(Duration.ofSeconds(20)).until(() -> of(log, "req-ws-1").stream()
          .anyMatch(line -> line.getString("logger").equals("poncho.access")));
      JsonObject handshake = of(log, "req-ws-1").stream()
          .filter(line -> line.getString("logger").equals("poncho.access")).findFirst().orElseThrow();
      assertThat(handshake.getMap()).containsAllEntriesOf(Map.of("method", "GET", "path", "/api/v1/ws",
          "status", 101, "generations", 1, "key_id", keyId));
    }
  }

  @Test
  void aCancelledWebSocketGenerationHasItsOwnAccessLine() {
    upstream.reset();
    upstream.then(FakeUpstream.sseThenStall(List.of(
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up\",\"choices\":"
            + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":null}]}\n\n")));
    try (JsonLogLines log = JsonLogLines.capture("ai.poncho")) {
      WsClient ws = WsClient.connect(clientVertx.createWebSocketClient(), WsClient.options(server.port())
          .addHeader("Authorization", "Bearer " + userKey).addHeader("x-request-id", "req-ws-2"));
      ws.send(WsClient.chat("g2", "flaky", "Hello", null));
      ws.awaitFrame("chunk", "g2", 1);
      ws.send(new JsonObject().put("type", "cancel").put("id", "g2"));
      assertThat(ws.awaitEnd("g2").getString("finish_reason")).isEqualTo("cancelled");
      await().atMost(Duration.ofSeconds(20)).until(() -> of(log, "req-ws-2:g2").stream()
          .anyMatch(line -> line.getString("logger").equals("poncho.access")));
      JsonObject access = of(log, "req-ws-2:g2").stream()
          .filter(line -> line.getString("logger").equals("poncho.access")).findFirst().orElseThrow();
      assertThat(access.getMap()).containsAllEntriesOf(Map.of("generation", "g2", "status", 499,
          "finish_reason", "cancelled"));
      assertThat(access.getString("key_id")).isEqualTo(keyId);
      ws.close();
    }
  }

  @Test
  void aPromptRunLogsItsFieldsInEveryVerticle() {
    upstream.reset();
    upstream.then(failure()).then(answer());
    try (JsonLogLines log = JsonLogLines.capture("ai.poncho")) {
      HttpResponse<Buffer> response = post("/v1/chat/completions", "req-prompt-1", chat("prompt:hello")
          .put("input", new JsonObject().put("name", "Ada")));
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      List<JsonObject> lines = linesOf(log, "req-prompt-1", 2);
      assertCorrelated(log, lines, "req-prompt-1");
      assertThat(lines).filteredOn(line -> line.getString("logger").equals("poncho.access"))
          .allSatisfy(line -> assertThat(line.getString("model")).isEqualTo("prompt:hello"));
    }
  }
}

package ai.poncho.http;

import static ai.poncho.testing.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.testing.Metrics;
import ai.poncho.testing.Sse;
import ai.poncho.testing.TestServer;
import ai.poncho.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client that reads nothing for dispatch.stream_stall_timeout has its upstream stopped, and its stream
 * still ends: after the chunks already buffered comes exactly one terminal error, stream_stalled, naming
 * the real cause, then the response ends (SSE) or the generation's last frame is that error (WebSocket).
 */
@ExtendWith(VertxExtension.class)
class StreamStallTest {

  private static final int TOTAL_CHUNKS = 100_000;

  private TestServer server;

  @BeforeEach
  void startServer() {
    JsonObject config = TestServer.config();
    config.getJsonObject("dispatch").put("stream_stall_timeout", "1s");
    config.getJsonObject("models").getJsonObject("mock").put("max_tokens", 1_000_000);
    server = TestServer.start(config);
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private double metric(Vertx vertx, String name, String... labels) {
    return Metrics.sum(await(server.webClient(vertx).get("/metrics").send()).bodyAsString(), name, labels);
  }

  private static JsonObject request(boolean stream) {
    return new JsonObject().put("model", "mock").put("stream", stream)
        .put("metadata", new JsonObject().put("mock_chunks", TOTAL_CHUNKS))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "stall me")));
  }

  @Test
  void aStalledSseStreamEndsWithOneStreamStalledError(Vertx vertx) {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(server.port()).setReceiveBufferSize(16 * 1024));
    HttpClientResponse response = await(client.request(new RequestOptions().setMethod(HttpMethod.POST)
            .setURI("/v1/chat/completions").putHeader("content-type", "application/json"))
        .compose(r -> r.send(request(true).encode()))
        .map(HttpClientResponse::pause));
    assertThat(response.statusCode()).isEqualTo(200);

    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .until(() -> metric(vertx, "poncho_mock_streams_cancelled_total", "model=\"mock\"") == 1.0);
    assertThat(metric(vertx, "poncho_mock_chunks_produced_total", "model=\"mock\"")).isLessThan(TOTAL_CHUNKS);

    Buffer body = Buffer.buffer();
    response.handler(body::appendBuffer);
    response.resume();
    await(response.end());
    List<String> data = Sse.data(body.toString());
    assertThat(data).doesNotContain("[DONE]");
    List<String> errors = data.stream().filter(d -> d.startsWith("{\"error\"")).toList();
    assertThat(errors).hasSize(1);
    assertThat(data.get(data.size() - 1)).isEqualTo(errors.get(0));
    JsonObject error = new JsonObject(errors.get(0)).getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo("timeout_error");
    assertThat(error.getString("code")).isEqualTo("stream_stalled");
    assertThat(error.getString("message")).contains("client read nothing for 1 s");
    await().atMost(Duration.ofSeconds(10)).until(() -> metric(vertx, "poncho_chat_requests_total",
        "model=\"mock\"", "outcome=\"stalled\"") == 1.0);
  }

  @Test
  void aStalledWebSocketGenerationEndsWithOneStreamStalledErrorFrame(Vertx vertx) {
    WsClient ws = WsClient.connect(vertx, new WebSocketClientOptions().setReceiveBufferSize(16 * 1024),
        server.port());
    ws.pauseOnFrame("chunk", "big", 2);
    ws.send(WsClient.chat("big", "stall me", new JsonObject().put("mock_chunks", String.valueOf(TOTAL_CHUNKS))
        .put("mock_tokens_per_chunk", "5")));
    ws.awaitFrame("chunk", "big", 2);

    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .until(() -> metric(vertx, "poncho_mock_streams_cancelled_total", "model=\"mock\"") == 1.0);
    ws.socket().resume();
    JsonObject end = ws.awaitEnd("big");
    assertThat(end.getString("type")).isEqualTo("error");
    assertThat(end.getJsonObject("error").getString("code")).isEqualTo("stream_stalled");
    ws.roundTrip();
    List<JsonObject> terminal = ws.frames("big").stream()
        .filter(f -> "done".equals(f.getString("type")) || "error".equals(f.getString("type"))).toList();
    assertThat(terminal).hasSize(1);
    ws.close();
  }
}

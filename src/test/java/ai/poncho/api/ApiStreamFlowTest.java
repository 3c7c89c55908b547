package ai.poncho.api;

import static ai.poncho.testing.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.testing.Metrics;
import ai.poncho.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Anthropic and Responses streams keep the gateway's flow control: a slow reader pauses the
 * upstream, a client that leaves cancels it, and the calls are metered like chat completions.
 */
class ApiStreamFlowTest {

  private static final int TOTAL_CHUNKS = 80_000;

  private TestServer server;
  private Vertx vertx;

  @BeforeEach
  void start() {
    JsonObject config = TestServer.config();
    config.getJsonObject("models").getJsonObject("mock").put("max_tokens", 100_000);
    server = TestServer.start(config);
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    await(vertx.close());
    server.close();
  }

  private double metric(String name, String... labels) {
    String scrape = await(server.webClient(vertx).get("/metrics").send()).bodyAsString();
    String[] all = new String[labels.length + 1];
    all[0] = "model=\"mock\"";
    System.arraycopy(labels, 0, all, 1, labels.length);
    return Metrics.sum(scrape, name, all);
  }

  private static JsonObject body(String path, JsonObject metadata) {
    JsonObject body = new JsonObject().put("model", "mock").put("stream", true).put("metadata", metadata);
    return path.equals("/v1/messages")
        ? body.put("max_tokens", 100_000).put("messages", new JsonArray().add(new JsonObject().put("role", "user")
            .put("content", "flow control")))
        : body.put("input", "flow control");
  }

  private HttpClientResponse open(HttpClient client, String path, JsonObject metadata) {
    return await(client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI(path)
            .putHeader("content-type", "application/json"))
        .compose(request -> request.send(body(path, metadata).encode()))
        .map(HttpClientResponse::pause));
  }

  @Test
  void slowAnthropicReaderPausesTheUpstream() {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(server.port()).setReceiveBufferSize(16 * 1024));
    HttpClientResponse response = open(client, "/v1/messages", new JsonObject().put("mock_chunks", TOTAL_CHUNKS));
    assertThat(response.statusCode()).isEqualTo(200);
    AtomicReference<Double> previous = new AtomicReference<>(-1.0);
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
      double now = metric("poncho_mock_chunks_produced_total");
      return now > 0 && now == previous.getAndSet(now);
    });
    assertThat(metric("poncho_mock_chunks_produced_total")).isLessThan(TOTAL_CHUNKS / 2.0);
    Buffer body = Buffer.buffer();
    response.handler(body::appendBuffer);
    response.resume();
    await(response.end());
    assertThat(body.toString()).endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    assertThat(metric("poncho_mock_chunks_produced_total")).isEqualTo(TOTAL_CHUNKS);
  }

  @Test
  void clientsThatLeaveCancelTheUpstream() {
    int cancelled = 0;
    for (String path : new String[] {"/v1/messages", "/v1/responses"}) {
      HttpClient client = server.httpClient(vertx);
      HttpClientResponse response = open(client, path, new JsonObject().put("mock_chunks", TOTAL_CHUNKS)
          .put("mock_chunk_delay_ms", 5));
      AtomicInteger received = new AtomicInteger();
      response.handler(buffer -> received.incrementAndGet());
      response.resume();
      await().atMost(Duration.ofSeconds(10)).until(() -> received.get() >= 5);
      await(client.close());
      int expected = ++cancelled;
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
          .until(() -> metric("poncho_mock_streams_cancelled_total") == expected);
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
          .until(() -> metric("poncho_chat_requests_total", "status=\"499\"") == expected);
    }
  }

  @Test
  void responsesCallsAreMetered() {
    await(server.webClient(vertx).post("/v1/responses").sendJsonObject(new JsonObject().put("model", "mock")
        .put("input", "metered")));
    await().atMost(Duration.ofSeconds(10)).until(() -> metric("poncho_chat_requests_total", "status=\"200\"",
        "stream=\"false\"") == 1.0 && metric("poncho_chat_tokens_total", "type=\"completion\"") == 4.0);
  }
}

package ai.poncho.http;

import static ai.poncho.testing.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.testing.Metrics;
import ai.poncho.testing.Sse;
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
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Streams across the event bus are flow controlled end to end: a client that stops reading pauses the
 * upstream (the mock stops producing), and a client that goes away cancels it.
 */
@ExtendWith(VertxExtension.class)
class StreamFlowControlTest {

  private static final int TOTAL_CHUNKS = 100_000;

  private TestServer server;

  @BeforeEach
  void startServer() {
    JsonObject config = TestServer.config();
    // Long replies: the model's max_tokens caps every answer.
    config.getJsonObject("models").getJsonObject("mock").put("max_tokens", 1_000_000);
    server = TestServer.start(config);
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private double metric(Vertx vertx, String name) {
    String scrape = await(server.webClient(vertx).get("/metrics").send()).bodyAsString();
    return Metrics.sum(scrape, name, "model=\"mock\"");
  }

  private static String streamingRequest(JsonObject metadata) {
    return new JsonObject().put("model", "mock").put("stream", true).put("metadata", metadata)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "flow control")))
        .encode();
  }

  /** The response, paused on its event loop before any body can arrive (and be missed). */
  private HttpClientResponse open(HttpClient client, JsonObject metadata) {
    return await(client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/v1/chat/completions")
            .putHeader("content-type", "application/json"))
        .compose(request -> request.send(streamingRequest(metadata)))
        .map(response -> response.pause()));
  }

  @Test
  void slowReaderPausesTheUpstreamInsteadOfBuffering(Vertx vertx) {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(server.port()).setReceiveBufferSize(16 * 1024));
    HttpClientResponse response = open(client, new JsonObject().put("mock_chunks", TOTAL_CHUNKS));
    assertThat(response.statusCode()).isEqualTo(200);

    AtomicReference<Double> previous = new AtomicReference<>(-1.0);
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
      double now = metric(vertx, "poncho_mock_chunks_produced_total");
      return now > 0 && now == previous.getAndSet(now);
    });
    double whilePaused = metric(vertx, "poncho_mock_chunks_produced_total");
    assertThat(whilePaused).isPositive().isLessThan(TOTAL_CHUNKS / 2.0);

    Buffer body = Buffer.buffer();
    response.handler(body::appendBuffer);
    response.resume();
    await(response.end());
    assertThat(Sse.data(body.toString())).last().isEqualTo("[DONE]");
    long contentChunks = Sse.json(body.toString()).stream()
        .filter(chunk -> !chunk.getJsonArray("choices").isEmpty())
        .filter(chunk -> chunk.getJsonArray("choices").getJsonObject(0).getJsonObject("delta").containsKey("content"))
        .count();
    assertThat(contentChunks).isEqualTo(TOTAL_CHUNKS + 1);
    assertThat(metric(vertx, "poncho_mock_chunks_produced_total")).isEqualTo(TOTAL_CHUNKS);
  }

  @Test
  void disconnectCancelsTheUpstreamWithinASecond(Vertx vertx) {
    HttpClient client = server.httpClient(vertx);
    HttpClientResponse response = open(client, new JsonObject().put("mock_chunks", TOTAL_CHUNKS)
        .put("mock_chunk_delay_ms", 5));
    AtomicInteger received = new AtomicInteger();
    response.handler(buffer -> received.incrementAndGet());
    response.resume();
    await().atMost(Duration.ofSeconds(10)).until(() -> received.get() >= 5);

    await(client.close());
    await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50))
        .until(() -> metric(vertx, "poncho_mock_streams_cancelled_total") == 1.0);
    double produced = metric(vertx, "poncho_mock_chunks_produced_total");
    assertThat(produced).isLessThan(TOTAL_CHUNKS);
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
        .until(() -> metric(vertx, "poncho_mock_chunks_produced_total") == produced);
  }

  @Test
  void aClientThatLeavesANonStreamedCallCancelsIt(Vertx vertx) {
    HttpClient client = server.httpClient(vertx);
    String body = new JsonObject().put("model", "mock").put("metadata", new JsonObject().put("mock_latency_ms", 60_000))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "never mind")))
        .encode();
    io.vertx.core.http.HttpClientRequest request = await(client.request(new RequestOptions()
        .setMethod(HttpMethod.POST).setURI("/v1/chat/completions").putHeader("content-type", "application/json")));
    await(request.end(body));

    await(request.connection().close());
    // Whether the cancel overtook the call or reached it in flight, dispatch ends it as 499 long before
    // the mock's minute is up.
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> Metrics.sum(
        await(server.webClient(vertx).get("/metrics").send()).bodyAsString(), "poncho_chat_requests_total",
        "model=\"mock\"", "status=\"499\"") == 1.0);
  }
}

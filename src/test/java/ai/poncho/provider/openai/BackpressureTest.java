package ai.poncho.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.testing.ApiClient;
import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.TestServer;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A client that stops reading stops the upstream: pausing reaches the upstream's TCP connection. */
class BackpressureTest {

  private static final int CHUNKS = 10_000;
  private static final String PIECE = "x".repeat(4096);

  @Test
  void aPausedClientPausesTheUpstreamAndResumingDeliversEverything() {
    AtomicInteger written = new AtomicInteger();
    try (FakeUpstream upstream = FakeUpstream.start()) {
      upstream.always((fake, request, body) -> {
        HttpServerResponse response = FakeUpstream.sseHead(request);
        response.write(OpenAiWire.chunk("m", new JsonObject().put("role", "assistant").put("content", ""), null));
        pump(response, written);
      });
      JsonObject config = TestServer.config();
      config.getJsonObject("models").put("gpt", new JsonObject().put("provider", "openai").put("api_key", "sk-k")
          .put("base_url", upstream.baseUrl()).put("timeout", "10m").put("stream_idle_timeout", "10m"));
      config.getJsonObject("dispatch").put("stream_stall_timeout", "10m");
      try (TestServer server = TestServer.start(config)) {
        Vertx vertx = Vertx.vertx();
        try {
          Promise<HttpClientResponse> opened = Promise.promise();
          server.httpClient(vertx).request(HttpMethod.POST, "/v1/chat/completions")
              .compose(request -> request.putHeader("content-type", "application/json")
                  .send(ApiClient.request("gpt", "Flood me").put("stream", true).toBuffer()))
              .onSuccess(response -> {
                response.pause();
                opened.complete(response);
              })
              .onFailure(opened::fail);
          HttpClientResponse response = TestServer.await(opened.future());

          // Stuck means: no new chunk written at any poll during two seconds.
          AtomicInteger previous = new AtomicInteger(-1);
          await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
              .during(Duration.ofSeconds(2)).until(() -> {
                int now = written.get();
                return now == previous.getAndSet(now);
              });
          assertThat(written.get()).isLessThan(CHUNKS);

          Promise<Buffer> all = Promise.promise();
          Buffer received = Buffer.buffer();
          response.handler(received::appendBuffer);
          response.endHandler(v -> all.complete(received));
          response.resume();
          String body = TestServer.await(all.future()).toString();
          assertThat(written.get()).isEqualTo(CHUNKS);
          assertThat(body).endsWith("data: [DONE]\n\n");
          assertThat(body.split(PIECE, -1).length - 1).isEqualTo(CHUNKS);
        } finally {
          TestServer.await(vertx.close());
        }
      }
    }
  }

  /** Writes chunks while the upstream socket accepts them, continuing on drain, like a real server. */
  private static void pump(HttpServerResponse response, AtomicInteger written) {
    while (written.get() < CHUNKS) {
      if (response.writeQueueFull()) {
        response.drainHandler(v -> pump(response, written));
        return;
      }
      response.write(OpenAiWire.chunk("m", new JsonObject().put("content", PIECE), null));
      written.incrementAndGet();
    }
    response.write(OpenAiWire.chunk("m", new JsonObject(), "stop"));
    response.end(OpenAiWire.DONE);
  }
}

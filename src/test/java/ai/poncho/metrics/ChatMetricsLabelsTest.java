package ai.poncho.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.testing.ApiClient;
import ai.poncho.testing.Metrics;
import ai.poncho.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Metric labels come from bounded sets only, and every chat request is counted once with its outcome:
 * unknown models are "unknown", refused requests are counted, and a stream that fails midway is counted
 * with the status line the client got (as vertx_http_server_requests_total does) and its outcome.
 */
class ChatMetricsLabelsTest {

  private TestServer server;
  private ApiClient api;

  @BeforeEach
  void start() {
    server = TestServer.start();
    api = new ApiClient(server);
  }

  @AfterEach
  void stop() {
    api.close();
    server.close();
  }

  private String scrape() {
    return api.get("/metrics").bodyAsString();
  }

  private static Set<String> series(String scrape) {
    return Arrays.stream(scrape.split("\n")).filter(line -> line.startsWith("poncho_"))
        .map(line -> line.substring(0, line.lastIndexOf(' '))).collect(Collectors.toSet());
  }

  private double requests(String... labels) {
    return Metrics.sum(scrape(), "poncho_chat_requests_total", labels);
  }

  @Test
  void unknownModelsAddNoSeries() {
    assertThat(api.chat(ApiClient.request("no-such-model-0", "hi")).statusCode()).isEqualTo(404);
    await().atMost(Duration.ofSeconds(10)).until(() -> requests("model=\"unknown\"", "status=\"404\"") == 1.0);
    Set<String> before = series(scrape());

    for (int i = 1; i <= 50; i++) {
      JsonObject body = ApiClient.request("random-" + i + "-" + Long.toHexString(System.nanoTime()), "hi")
          .put("user", "user-" + i).put("metadata", new JsonObject().put("tag", "t" + i));
      assertThat(api.chat(body).statusCode()).isEqualTo(404);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> requests("model=\"unknown\"", "status=\"404\"") == 51.0);
    String after = scrape();
    assertThat(series(after)).isEqualTo(before);
    assertThat(after).doesNotContain("random-", "user-", "no-such-model");
  }

  @Test
  void refusedRequestsAreCountedOnceWithTheirOutcome() {
    assertThat(api.chat(new JsonObject().put("model", "mock").put("messages", "not a list")).statusCode())
        .isEqualTo(400);
    assertThat(api.chat(ApiClient.request("mock", "hi").put("temperature", 7)).statusCode()).isEqualTo(400);
    assertThat(api.chat(ApiClient.request("mock", "hi")).statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> requests("model=\"mock\"") == 3.0);
    assertThat(requests("model=\"mock\"", "status=\"400\"", "outcome=\"invalid_request\"")).isEqualTo(2.0);
    assertThat(requests("model=\"mock\"", "status=\"200\"", "outcome=\"success\"")).isEqualTo(1.0);
  }

  @Test
  void aStreamThatFailsMidwayIsCountedAsTheClientSawIt() {
    JsonObject body = ApiClient.request("mock", "hi").put("stream", true)
        .put("metadata", new JsonObject().put("mock_chunks", 10).put("mock_fail_after_chunks", 3));
    assertThat(api.chat(body).statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> requests("model=\"mock\"") == 1.0);
    assertThat(requests("model=\"mock\"", "status=\"200\"", "stream=\"true\"", "outcome=\"upstream_error\""))
        .isEqualTo(1.0);
    assertThat(Metrics.sum(scrape(), "vertx_http_server_requests_total", "route=\"/v1/chat/completions\"",
        "code=\"200\"")).isEqualTo(1.0);
  }
}

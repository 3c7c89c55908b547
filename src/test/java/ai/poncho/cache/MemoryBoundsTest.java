package ai.poncho.cache;

import static ai.poncho.testing.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.testing.Metrics;
import ai.poncho.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.Test;

/** The in-memory backend keeps to both bounds, entries and bytes, and counts what it evicts. */
class MemoryBoundsTest {

  private static void fill(TestServer server, WebClient client, int requests, int size) {
    for (int i = 0; i < requests; i++) {
      JsonObject body = new JsonObject().put("model", "mock").put("temperature", 0)
          .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", i + " "
              + "x".repeat(size))));
      assertThat(await(client.post("/v1/chat/completions").sendJsonObject(body)).getHeader("x-poncho-cache"))
          .isEqualTo("miss");
    }
  }

  private static String scrape(WebClient client) {
    return await(client.get("/metrics").send()).bodyAsString();
  }

  @Test
  void maxEntriesBoundsTheNumberOfAnswers() {
    Vertx vertx = Vertx.vertx();
    try (TestServer server = TestServer.start(TestServer.config().put("cache", new JsonObject().put("enabled", true)
        .put("max_entries", 5)))) {
      WebClient client = server.webClient(vertx);
      fill(server, client, 20, 10);
      String metrics = scrape(client);
      assertThat(Metrics.sum(metrics, "poncho_cache_entries")).isLessThanOrEqualTo(5).isPositive();
      assertThat(Metrics.sum(metrics, "poncho_cache_evictions_total", "reason=\"size\"")).isGreaterThanOrEqualTo(15);
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void maxBytesBoundsTheMemoryHeld() {
    Vertx vertx = Vertx.vertx();
    try (TestServer server = TestServer.start(TestServer.config().put("cache", new JsonObject().put("enabled", true)
        .put("max_bytes", "64KB")))) {
      WebClient client = server.webClient(vertx);
      fill(server, client, 30, 8 * 1024);
      String metrics = scrape(client);
      assertThat(Metrics.sum(metrics, "poncho_cache_bytes", "model=\"mock\"")).isLessThanOrEqualTo(64 * 1024)
          .isPositive();
      assertThat(Metrics.sum(metrics, "poncho_cache_evictions_total", "reason=\"size\"")).isPositive();
    } finally {
      await(vertx.close());
    }
  }
}

package ai.poncho.usage;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.chat.Ids;
import ai.poncho.testing.ApiClient;
import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.Sse;
import ai.poncho.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cost from the provider's reported usage and the price table, exact to the pico-dollar, on every
 * completion (header, stream trailer and usage chunk), and the usage API's totals, on both backends.
 */
class CostAndUsageTest {

  private final Vertx vertx = Vertx.vertx();
  private FakeUpstream upstream;
  private TestServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    TestServer.await(vertx.close());
  }

  private static JsonObject usage(int prompt, int completion, int cached) {
    JsonObject usage = new JsonObject().put("prompt_tokens", prompt).put("completion_tokens", completion)
        .put("total_tokens", prompt + completion);
    return cached == 0 ? usage : usage.put("prompt_tokens_details", new JsonObject().put("cached_tokens", cached));
  }

  private static JsonObject completion(String model, JsonObject usage) {
    return new JsonObject().put("id", "chatcmpl-cost").put("object", "chat.completion").put("created", 1_700_000_000)
        .put("model", model).put("choices", new JsonArray().add(new JsonObject().put("index", 0)
            .put("message", new JsonObject().put("role", "assistant").put("content", "Priced."))
            .put("finish_reason", "stop"))).put("usage", usage);
  }

  private static String chunk(JsonObject body) {
    return "data: " + body.encode() + "\n\n";
  }

  private static List<String> stream(String model, JsonObject usage) {
    JsonObject base = new JsonObject().put("id", "chatcmpl-cost").put("object", "chat.completion.chunk")
        .put("created", 1_700_000_000).put("model", model);
    return List.of(
        chunk(base.copy().put("choices", new JsonArray().add(new JsonObject().put("index", 0)
            .put("delta", new JsonObject().put("role", "assistant").put("content", "Priced.")).putNull("finish_reason")))),
        chunk(base.copy().put("choices", new JsonArray().add(new JsonObject().put("index", 0)
            .put("delta", new JsonObject()).put("finish_reason", "stop")))),
        chunk(base.copy().put("choices", new JsonArray()).put("usage", usage)),
        "data: [DONE]\n\n");
  }

  private void start(String backend) {
    upstream = FakeUpstream.start();
    JsonObject quick = new JsonObject().put("provider", "openai").put("api_key", "sk-test")
        .put("base_url", upstream.baseUrl() + "/v1").put("max_retries", 0)
        .put("circuit_breaker", new JsonObject().put("enabled", false));
    JsonObject config = TestServer.config()
        .put("state", new JsonObject().put("backend", backend)
            .put("redis", new JsonObject().put("prefix", Ids.random("poncho-test-") + ":").put("timeout", "5s")));
    config.getJsonObject("models")
        .put("gpt", quick.copy().put("model_name", "gpt-4o").put("pricing", new JsonObject()
            .put("input_per_1m", 2.50).put("output_per_1m", "10.00").put("cached_input_per_1m", 1.25)))
        .put("mini", quick.copy().put("model_name", "gpt-4o-mini-2024-07-18"));
    server = TestServer.start(config);
  }

  @Test
  void streamedMessagesAndResponsesReportTheirCostInTheTrailerAndTheirLastEvent() {
    start("memory");
    WebClient client = server.webClient(vertx);

    // 1000 x 2.50/1M + 500 x 10.00/1M, whichever API the stream goes out through.
    upstream.then(FakeUpstream.sse(stream("gpt-4o", usage(1000, 500, 0))));
    HttpResponse<Buffer> messages = TestServer.await(client.post("/v1/messages")
        .putHeader("anthropic-version", "2023-06-01")
        .sendJsonObject(new JsonObject().put("model", "gpt").put("max_tokens", 100).put("stream", true)
            .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "stream me")))));
    assertThat(messages.statusCode()).isEqualTo(200);
    assertThat(messages.getHeader("trailer")).isEqualTo("x-poncho-cost-usd");
    assertThat(messages.trailers().get("x-poncho-cost-usd")).isEqualTo("0.0075");
    JsonObject delta = Sse.json(messages.bodyAsString()).stream()
        .filter(event -> "message_delta".equals(event.getString("type"))).findFirst().orElseThrow();
    assertThat(delta.getJsonObject("usage").getString("cost_usd")).isEqualTo("0.0075");
    assertThat(delta.getJsonObject("usage").getInteger("output_tokens")).isEqualTo(500);

    upstream.then(FakeUpstream.sse(stream("gpt-4o", usage(1000, 500, 0))));
    HttpResponse<Buffer> responses = TestServer.await(client.post("/v1/responses")
        .sendJsonObject(new JsonObject().put("model", "gpt").put("stream", true).put("input", "stream me")));
    assertThat(responses.statusCode()).isEqualTo(200);
    assertThat(responses.trailers().get("x-poncho-cost-usd")).isEqualTo("0.0075");
    List<JsonObject> events = Sse.json(responses.bodyAsString());
    JsonObject completed = events.get(events.size() - 1);
    assertThat(completed.getString("type")).isEqualTo("response.completed");
    assertThat(completed.getJsonObject("response").getJsonObject("usage").getString("cost_usd")).isEqualTo("0.0075");
    assertThat(completed.getJsonObject("response").getJsonObject("usage").getInteger("input_tokens")).isEqualTo(1000);
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "redis"})
  void everyCompletionReportsItsExactCostAndTheUsageApiAddsThemUp(String backend) {
    start(backend);
    WebClient client = server.webClient(vertx);

    // 800 uncached x 2.50/1M + 200 cached x 1.25/1M + 500 x 10.00/1M = 0.002 + 0.00025 + 0.005
    upstream.then(FakeUpstream.json(200, completion("gpt-4o", usage(1000, 500, 200))));
    HttpResponse<Buffer> plain = TestServer.await(client.post("/v1/chat/completions")
        .sendJsonObject(ApiClient.request("gpt", "price me")));
    assertThat(plain.statusCode()).isEqualTo(200);
    assertThat(plain.getHeader("x-poncho-cost-usd")).isEqualTo("0.00725");

    // Streamed: 1000 x 2.50/1M + 500 x 10.00/1M, as a trailer and in the final usage chunk.
    upstream.then(FakeUpstream.sse(stream("gpt-4o", usage(1000, 500, 0))));
    HttpResponse<Buffer> streamed = TestServer.await(client.post("/v1/chat/completions")
        .sendJsonObject(ApiClient.request("gpt", "stream me").put("stream", true)
            .put("stream_options", new JsonObject().put("include_usage", true))));
    assertThat(streamed.statusCode()).isEqualTo(200);
    assertThat(streamed.trailers().get("x-poncho-cost-usd")).isEqualTo("0.0075");
    List<JsonObject> chunks = Sse.json(streamed.bodyAsString());
    assertThat(chunks.get(chunks.size() - 1).getJsonObject("usage").getString("cost_usd")).isEqualTo("0.0075");
    assertThat(Sse.data(streamed.bodyAsString())).last().isEqualTo("[DONE]");

    // The shipped default price of gpt-4o-mini (0.15 / 0.60 / 0.075 per 1M) serves a dated snapshot.
    upstream.then(FakeUpstream.json(200, completion("gpt-4o-mini-2024-07-18", usage(1000, 500, 200))));
    assertThat(TestServer.await(client.post("/v1/chat/completions")
        .sendJsonObject(ApiClient.request("mini", "cheap"))).getHeader("x-poncho-cost-usd")).isEqualTo("0.000435");

    String today = LocalDate.now(ZoneOffset.UTC).toString();
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> usage(client, "?group_by=model")
        .getJsonObject("total").getLong("requests") == 3);
    JsonObject byModel = usage(client, "?group_by=model&from=" + today + "&to=" + today);
    assertThat(byModel.getJsonObject("total").getString("cost_usd")).isEqualTo("0.015185");
    assertThat(byModel.getJsonObject("total").getLong("prompt_tokens")).isEqualTo(3000);
    assertThat(byModel.getJsonObject("total").getLong("cached_tokens")).isEqualTo(400);
    JsonArray rows = byModel.getJsonArray("data");
    assertThat(rows).hasSize(2);
    JsonObject gpt = rows.getJsonObject(0);
    assertThat(gpt.getString("model")).isEqualTo("gpt");
    assertThat(gpt.getLong("requests")).isEqualTo(2);
    assertThat(gpt.getString("cost_usd")).isEqualTo("0.01475");
    assertThat(gpt.getLong("total_tokens")).isEqualTo(3000);
    assertThat(rows.getJsonObject(1).getString("cost_usd")).isEqualTo("0.000435");

    JsonObject byDay = usage(client, "?group_by=day");
    assertThat(byDay.getJsonArray("data").getJsonObject(0).getString("day")).isEqualTo(today);
    assertThat(usage(client, "?from=2020-01-01&to=2020-01-31").getJsonObject("total").getLong("requests")).isZero();

    JsonArray records = TestServer.await(client.get("/api/v1/usage/records?limit=10").send()).bodyAsJsonObject()
        .getJsonArray("data");
    assertThat(records).hasSize(3);
    JsonObject newest = records.getJsonObject(0);
    assertThat(newest.getString("model")).isEqualTo("mini");
    assertThat(newest.getString("provider")).isEqualTo("openai");
    assertThat(newest.getString("cost_usd")).isEqualTo("0.000435");
    assertThat(newest.getInteger("cached_tokens")).isEqualTo(200);
    assertThat(newest.getInteger("status")).isEqualTo(200);
    assertThat(records.getJsonObject(1).getBoolean("stream")).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory"})
  void badUsageQueriesAre400(String backend) {
    start(backend);
    WebClient client = server.webClient(vertx);
    for (String query : List.of("?group_by=color", "?from=yesterday", "?from=2026-02-01&to=2026-01-01",
        "?from=2020-01-01&to=2026-01-01")) {
      HttpResponse<Buffer> response = TestServer.await(client.get("/api/v1/usage" + query).send());
      assertThat(response.statusCode()).as(query).isEqualTo(400);
      assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
    }
  }

  private static JsonObject usage(WebClient client, String query) {
    HttpResponse<Buffer> response = TestServer.await(client.get("/api/v1/usage" + query).send());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }
}

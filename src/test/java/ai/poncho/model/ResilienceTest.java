package ai.poncho.model;

import static ai.poncho.testing.FakeUpstream.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.testing.ApiClient;
import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.Metrics;
import ai.poncho.testing.Sse;
import ai.poncho.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retries, circuit breakers, fallbacks and load balancing, observed at fake OpenAI upstreams. */
class ResilienceTest {

  private static final String MODEL = "up-model";

  private static FakeUpstream primary;
  private static FakeUpstream backup;
  private static FakeUpstream second;
  private static TestServer server;
  private static ApiClient client;

  @BeforeAll
  static void start() {
    primary = FakeUpstream.start();
    backup = FakeUpstream.start();
    second = FakeUpstream.start();
    JsonObject fast = new JsonObject().put("provider", "openai").put("api_key", "sk-resilience-key")
        .put("model_name", MODEL).put("retry_initial_backoff", "10ms").put("retry_max_backoff", "3s")
        .put("first_token_timeout", "5s");
    JsonObject noBreaker = new JsonObject().put("enabled", false);
    JsonObject models = new JsonObject()
        .put("retrying", fast.copy().put("base_url", primary.baseUrl()).put("max_retries", 2)
            .put("circuit_breaker", noBreaker))
        .put("fragile", fast.copy().put("base_url", primary.baseUrl()).put("max_retries", 0)
            .put("circuit_breaker", new JsonObject().put("failure_threshold", 2).put("reset_timeout", "1s")))
        .put("tripping", fast.copy().put("base_url", primary.baseUrl()).put("max_retries", 3)
            .put("circuit_breaker", new JsonObject().put("failure_threshold", 2).put("reset_timeout", "10m")))
        .put("main", fast.copy().put("base_url", primary.baseUrl()).put("max_retries", 1)
            .put("circuit_breaker", noBreaker).put("fallbacks", new JsonArray().add("spare")))
        .put("spare", fast.copy().put("base_url", backup.baseUrl()).put("max_retries", 0))
        .put("weighted", fast.copy().put("max_retries", 0).put("deployments", new JsonArray()
            .add(new JsonObject().put("id", "a").put("base_url", primary.baseUrl()).put("weight", 3))
            .add(new JsonObject().put("id", "b").put("base_url", second.baseUrl()).put("weight", 1))))
        .put("skipping", fast.copy().put("max_retries", 1)
            .put("circuit_breaker", new JsonObject().put("failure_threshold", 1).put("reset_timeout", "10m"))
            .put("deployments", new JsonArray()
                .add(new JsonObject().put("id", "good").put("base_url", primary.baseUrl()))
                .add(new JsonObject().put("id", "bad").put("base_url", second.baseUrl()))))
        .put("least", fast.copy().put("max_retries", 0).put("routing", "least_outstanding")
            .put("deployments", new JsonArray()
                .add(new JsonObject().put("id", "a").put("base_url", primary.baseUrl()))
                .add(new JsonObject().put("id", "b").put("base_url", second.baseUrl()))));
    JsonObject config = TestServer.config();
    models.forEach(entry -> config.getJsonObject("models").put(entry.getKey(), entry.getValue()));
    server = TestServer.start(config);
    client = new ApiClient(server);
  }

  @AfterAll
  static void stop() {
    client.close();
    server.close();
    primary.close();
    backup.close();
    second.close();
  }

  @BeforeEach
  void reset() {
    for (FakeUpstream upstream : List.of(primary, backup, second)) {
      upstream.reset();
      upstream.always(ok("served"));
    }
  }

  private static FakeUpstream.Responder ok(String text) {
    return json(200, new JsonObject().put("id", "chatcmpl-1").put("object", "chat.completion")
        .put("created", 1741569952).put("model", MODEL)
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0)
            .put("message", new JsonObject().put("role", "assistant").put("content", text))
            .put("logprobs", null).put("finish_reason", "stop")))
        .put("usage", new JsonObject().put("prompt_tokens", 5).put("completion_tokens", 1).put("total_tokens", 6)));
  }

  private static FakeUpstream.Responder error(int status, Map<String, String> headers) {
    return json(status, new JsonObject().put("error", new JsonObject().put("message", "failure " + status)
        .put("type", "server_error").put("param", null).put("code", null)), headers);
  }

  private static String content(HttpResponse<Buffer> response) {
    return response.bodyAsJsonObject().getJsonArray("choices").getJsonObject(0).getJsonObject("message")
        .getString("content");
  }

  @Test
  void a429IsRetriedAfterItsRetryAfterWithTheSameBody() {
    primary.then(error(429, Map.of("retry-after", "1")));
    HttpResponse<Buffer> response = client.chat(ApiClient.request("retrying", "Hello").put("temperature", 0.3));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(primary.count()).isEqualTo(2);
    List<FakeUpstream.Received> received = primary.received();
    assertThat(received.get(1).body()).isEqualTo(received.get(0).body());
    assertThat(received.get(0).json().getDouble("temperature")).isEqualTo(0.3);
    assertThat(Duration.ofNanos(received.get(1).nanos() - received.get(0).nanos())).isGreaterThan(
        Duration.ofMillis(900));
  }

  @Test
  void serverErrorsAreRetriedUntilSuccess() {
    primary.then(error(500, Map.of())).then(error(502, Map.of()));
    HttpResponse<Buffer> response = client.chat(ApiClient.request("retrying", "Hello"));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(content(response)).isEqualTo("served");
    assertThat(primary.count()).isEqualTo(3);
    assertThat(primary.received().get(2).body()).isEqualTo(primary.received().get(0).body());
  }

  @Test
  void retriesStopAtTheConfiguredMaximum() {
    primary.always(error(503, Map.of()));
    HttpResponse<Buffer> response = client.chat(ApiClient.request("retrying", "Hello"));
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(primary.count()).isEqualTo(3);
  }

  @Test
  void clientErrorsAreNotRetried() {
    primary.then(error(400, Map.of()));
    HttpResponse<Buffer> response = client.chat(ApiClient.request("retrying", "Hello"));
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(primary.count()).isEqualTo(1);
  }

  @Test
  void aStreamIsRetriedWhileItOpens() {
    primary.then(error(503, Map.of())).then(FakeUpstream.sse(List.of(
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":"
            + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"again\"},\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":"
            + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
        "data: [DONE]\n\n")));
    HttpResponse<Buffer> response = client.chat(ApiClient.request("retrying", "Hello").put("stream", true));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(Sse.content(Sse.json(response.bodyAsString()))).isEqualTo("again");
    assertThat(Sse.data(response.bodyAsString())).last().isEqualTo("[DONE]");
    assertThat(primary.count()).isEqualTo(2);
  }

  @Test
  void theBreakerOpensAfterConsecutiveFailuresAndRecoversThroughHalfOpen() {
    primary.always(error(500, Map.of()));
    assertThat(client.chat(ApiClient.request("fragile", "1")).statusCode()).isEqualTo(502);
    assertThat(client.chat(ApiClient.request("fragile", "2")).statusCode()).isEqualTo(502);

    HttpResponse<Buffer> rejected = client.chat(ApiClient.request("fragile", "3"));
    assertThat(rejected.statusCode()).isEqualTo(503);
    assertThat(rejected.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("circuit_open");
    assertThat(primary.count()).isEqualTo(2);
    assertThat(Metrics.sum(client.get("/metrics").bodyAsString(), "poncho_circuit_breaker_state",
        "deployment=\"fragile\"")).isEqualTo(2.0);
    HttpResponse<Buffer> ready = client.get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    JsonObject breakers = ready.bodyAsJsonObject().getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(check -> check.getString("id").equals("providers")).findFirst().orElseThrow();
    assertThat(breakers.getString("status")).isEqualTo("UP");
    assertThat(breakers.getJsonObject("data").getJsonObject("deployments").getString("fragile")).isEqualTo("OPEN");
    assertThat(breakers.getJsonObject("data").getJsonArray("degraded")).contains("fragile");

    primary.always(ok("recovered"));
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
        client.chat(ApiClient.request("fragile", "probe")).statusCode() == 200);
    assertThat(Metrics.sum(client.get("/metrics").bodyAsString(), "poncho_circuit_breaker_state",
        "deployment=\"fragile\"")).isEqualTo(0.0);
    assertThat(client.chat(ApiClient.request("fragile", "again")).statusCode()).isEqualTo(200);
  }

  @Test
  void aCircuitOpeningDuringRetriesStillReportsTheUpstreamError() {
    primary.always(error(500, Map.of()));
    HttpResponse<Buffer> response = client.chat(ApiClient.request("tripping", "Hello"));
    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("failure 500");
    assertThat(primary.count()).isEqualTo(2);
    assertThat(client.chat(ApiClient.request("tripping", "Again")).statusCode()).isEqualTo(503);
    assertThat(primary.count()).isEqualTo(2);
  }

  @Test
  void aFailingModelFallsBackAndTheResponseNamesTheServingModel() {
    primary.always(error(500, Map.of()));
    backup.always(ok("from spare"));
    HttpResponse<Buffer> response = client.chat(ApiClient.request("main", "Hello"));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("x-poncho-model")).isEqualTo("spare");
    assertThat(response.bodyAsJsonObject().getString("model")).isEqualTo("spare");
    assertThat(content(response)).isEqualTo("from spare");
    assertThat(primary.count()).isEqualTo(2);
    assertThat(backup.count()).isEqualTo(1);

    backup.always(FakeUpstream.sse(List.of(
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":"
            + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"spare stream\"},"
            + "\"finish_reason\":\"stop\"}]}\n\n",
        "data: [DONE]\n\n")));
    HttpResponse<Buffer> stream = client.chat(ApiClient.request("main", "Hello").put("stream", true));
    assertThat(stream.getHeader("x-poncho-model")).isEqualTo("spare");
    List<JsonObject> chunks = Sse.json(stream.bodyAsString());
    assertThat(Sse.content(chunks)).isEqualTo("spare stream");
    assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.getString("model")).isEqualTo("spare"));
  }

  @Test
  void weightedDeploymentsShareTrafficByWeight() {
    for (int i = 0; i < 400; i++) {
      assertThat(client.chat(ApiClient.request("weighted", "n" + i)).statusCode()).isEqualTo(200);
    }
    assertThat(primary.count()).isBetween(280, 320);
    assertThat(second.count()).isBetween(80, 120);
    assertThat(primary.count() + second.count()).isEqualTo(400);
  }

  @Test
  void balancingSkipsADeploymentWhoseCircuitIsOpen() {
    second.always(error(500, Map.of()));
    for (int i = 0; i < 20; i++) {
      assertThat(client.chat(ApiClient.request("skipping", "n" + i)).statusCode()).isEqualTo(200);
    }
    assertThat(second.count()).isEqualTo(1);
    assertThat(primary.count()).isEqualTo(20);
    assertThat(Metrics.sum(client.get("/metrics").bodyAsString(), "poncho_circuit_breaker_state",
        "deployment=\"skipping/bad\"")).isEqualTo(2.0);
  }

  @Test
  void leastOutstandingAvoidsTheBusyDeployment() {
    primary.always(FakeUpstream.delayed(3000, ok("slow")));
    Vertx vertx = Vertx.vertx();
    try {
      var slow = server.webClient(vertx).post("/v1/chat/completions")
          .sendJsonObject(ApiClient.request("least", "slow one"));
      await().atMost(Duration.ofSeconds(20)).until(() -> primary.count() + second.count() == 1);
      FakeUpstream busy = primary.count() == 1 ? primary : second;
      FakeUpstream idle = busy == primary ? second : primary;
      for (int i = 0; i < 5; i++) {
        assertThat(client.chat(ApiClient.request("least", "quick " + i)).statusCode()).isEqualTo(200);
      }
      assertThat(busy.count()).isEqualTo(1);
      assertThat(idle.count()).isEqualTo(5);
      assertThat(TestServer.await(slow).statusCode()).isEqualTo(200);
    } finally {
      TestServer.await(vertx.close());
    }
  }
}

package ai.poncho.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.chat.Ids;
import ai.poncho.testing.ApiClient;
import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.OwnRedis;
import ai.poncho.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /health/live}, {@code /health/ready} and {@code /health}: the named checks and their data, readiness
 * following a Redis that dies, hangs and comes back, liveness staying up, the prompt library's failing
 * files, and the providers' breakers (degraded, DOWN only when no deployment can take a call).
 */
class HealthChecksTest {

  @TempDir
  Path prompts;

  private Vertx vertx;
  private FakeUpstream upstream;
  private OwnRedis redis;
  private TestServer server;
  private WebClient client;

  @BeforeEach
  void start() throws IOException {
    vertx = Vertx.vertx();
    upstream = FakeUpstream.start();
    upstream.always(FakeUpstream.json(500, new JsonObject().put("error", new JsonObject().put("message", "down")
        .put("type", "server_error"))));
    Files.writeString(prompts.resolve("good.prompt"), "Hello {{name}}.");
    Files.writeString(prompts.resolve("bad.prompt"), "---\nmodel: [unclosed\n---\nHi");
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (redis != null) {
      redis.close();
    }
    upstream.close();
    TestServer.await(vertx.close());
  }

  private static JsonObject fragile(String baseUrl) {
    return new JsonObject().put("provider", "openai").put("api_key", "sk-health-test").put("base_url", baseUrl)
        .put("max_retries", 0).put("circuit_breaker", new JsonObject().put("failure_threshold", 1)
            .put("reset_timeout", "10m"));
  }

  private void start(JsonObject config) {
    config.put("prompts", new JsonObject().put("dir", prompts.toString()));
    server = TestServer.start(config);
    // Generous: a check is bounded by its own timeout; the client's only guards the test itself.
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(server.port()).setIdleTimeout(30));
  }

  private HttpResponse<Buffer> get(String path) {
    return TestServer.await(client.get(path).timeout(30_000).send());
  }

  private static JsonObject check(HttpResponse<Buffer> response, String id) {
    return response.bodyAsJsonObject().getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(check -> check.getString("id").equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("no check " + id + " in " + response.bodyAsString()));
  }

  @Test
  void readinessFollowsRedisWhileLivenessStaysUp() {
    redis = OwnRedis.start();
    int port = redis.port();
    JsonObject config = TestServer.config().put("state", new JsonObject().put("backend", "redis")
        .put("redis", new JsonObject().put("url", redis.url()).put("prefix", Ids.random("poncho-test-") + ":")
            .put("timeout", "300ms")));
    start(config);

    HttpResponse<Buffer> ready = get("/health/ready");
    assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getString("status")).isEqualTo("UP");
    for (String id : new String[] {"redis", "dispatch", "prompt", "metrics", "prompts", "providers"}) {
      assertThat(check(ready, id).getString("status")).as(id).isEqualTo("UP");
    }
    assertThat(get("/health").statusCode()).isEqualTo(200);

    redis.kill();
    await().atMost(Duration.ofSeconds(30)).until(() -> get("/health/ready").statusCode() == 503);
    HttpResponse<Buffer> down = get("/health/ready");
    assertThat(down.bodyAsJsonObject().getString("status")).isEqualTo("DOWN");
    assertThat(check(down, "redis").getString("status")).isEqualTo("DOWN");
    assertThat(check(down, "redis").getJsonObject("data").getString("error")).isNotBlank();
    assertThat(check(down, "dispatch").getString("status")).isEqualTo("UP");
    assertThat(get("/health").statusCode()).isEqualTo(503);
    assertThat(get("/health/live").statusCode()).isEqualTo(200);

    redis = OwnRedis.start(port);
    await().atMost(Duration.ofSeconds(30)).until(() -> get("/health/ready").statusCode() == 200);
    assertThat(check(get("/health/ready"), "redis").getString("status")).isEqualTo("UP");
  }

  @Test
  void aHungCheckMakesReadinessAnswerDownInsteadOfHanging() {
    redis = OwnRedis.start();
    // Redis calls may wait 60 s here, so only the checks' own time bound can answer the probe.
    start(TestServer.config().put("state", new JsonObject().put("backend", "redis")
        .put("redis", new JsonObject().put("url", redis.url()).put("prefix", Ids.random("poncho-test-") + ":")
            .put("timeout", "60s"))));
    assertThat(get("/health/ready").statusCode()).isEqualTo(200);
    redis.freeze();
    HttpResponse<Buffer> hung = get("/health/ready");
    assertThat(hung.statusCode()).isEqualTo(503);
    assertThat(check(hung, "redis").getString("status")).isEqualTo("DOWN");
    assertThat(check(hung, "redis").getJsonObject("data").getString("error")).isEqualTo("no answer within 2000 ms");
    assertThat(check(hung, "dispatch").getString("status")).isEqualTo("UP");
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
    redis.thaw();
    await().atMost(Duration.ofSeconds(30)).until(() -> get("/health/ready").statusCode() == 200);
  }

  @Test
  void failingPromptFilesAreReportedWithoutTakingTheNodeDown() {
    start(TestServer.config());
    HttpResponse<Buffer> ready = get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    JsonObject library = check(ready, "prompts");
    assertThat(library.getString("status")).isEqualTo("UP");
    JsonObject data = library.getJsonObject("data");
    assertThat(data.getInteger("prompts")).isEqualTo(1);
    assertThat(data.getInteger("files_failing")).isEqualTo(1);
    JsonArray failing = data.getJsonArray("failing");
    assertThat(failing.getJsonObject(0).getString("file")).contains("bad.prompt");
    assertThat(failing.getJsonObject(0).getString("error")).isNotBlank();
  }

  @Test
  void anOpenBreakerDegradesTheProvidersCheckWhileAnotherDeploymentIsUsable() {
    JsonObject config = TestServer.config();
    config.getJsonObject("models").put("fragile", fragile(upstream.baseUrl()));
    start(config);
    assertThat(TestServer.await(client.post("/v1/chat/completions").sendJsonObject(ApiClient.request("fragile", "x")))
        .statusCode()).isEqualTo(502);

    HttpResponse<Buffer> ready = get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    JsonObject providers = check(ready, "providers");
    assertThat(providers.getString("status")).isEqualTo("UP");
    JsonObject data = providers.getJsonObject("data");
    assertThat(data.getString("state")).isEqualTo("degraded");
    assertThat(data.getJsonArray("degraded")).containsExactly("fragile");
    assertThat(data.getJsonObject("deployments").getString("fragile")).isEqualTo("OPEN");
    assertThat(data.getJsonObject("deployments").getString("mock")).isEqualTo("CLOSED");
    assertThat(data.getJsonObject("models").getJsonObject("fragile").getString("fragile")).isEqualTo("OPEN");
  }

  @Test
  void providersAreDownOnlyWhenNoDeploymentOfAnyModelCanTakeACall() {
    JsonObject config = TestServer.config();
    config.put("models", new JsonObject().put("fragile", fragile(upstream.baseUrl())));
    start(config);
    assertThat(get("/health/ready").statusCode()).isEqualTo(200);
    assertThat(TestServer.await(client.post("/v1/chat/completions").sendJsonObject(ApiClient.request("fragile", "x")))
        .statusCode()).isEqualTo(502);

    HttpResponse<Buffer> ready = get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(503);
    JsonObject providers = check(ready, "providers");
    assertThat(providers.getString("status")).isEqualTo("DOWN");
    assertThat(providers.getJsonObject("data").getString("state")).isEqualTo("unusable");
    assertThat(check(ready, "dispatch").getString("status")).isEqualTo("UP");
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
  }
}

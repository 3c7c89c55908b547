package ai.poncho.cache;

import static ai.poncho.testing.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.poncho.config.ConfigException;
import ai.poncho.config.PonchoConfig;
import ai.poncho.security.Caller;
import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache's settings, each on a node of its own: namespaces, any_temperature, per-model switches, prompts. */
class CachePolicyTest {

  private static FakeUpstream upstream;
  private static Vertx clientVertx;

  @BeforeAll
  static void start() {
    upstream = FakeUpstream.start();
    upstream.always(new CachingUpstream().responder());
    clientVertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    await(clientVertx.close());
    upstream.close();
  }

  @BeforeEach
  void reset() {
    upstream.reset();
  }

  private static JsonObject config(JsonObject cache) {
    JsonObject config = TestServer.config();
    JsonObject openai = new JsonObject().put("provider", "openai").put("api_key", "sk-test-1")
        .put("base_url", upstream.baseUrl() + "/v1").put("max_retries", 0)
        .put("circuit_breaker", new JsonObject().put("enabled", false));
    config.getJsonObject("models").put("gpt", openai.copy()).put("cached", openai.copy().put("cache", true));
    return config.put("cache", cache).put("default_model", "gpt");
  }

  private static JsonObject request(String model, String text) {
    return new JsonObject().put("model", model).put("temperature", 0)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text)));
  }

  private static HttpResponse<Buffer> post(TestServer server, JsonObject body) {
    return await(server.webClient(clientVertx).post("/v1/chat/completions").sendJsonObject(body));
  }

  @Test
  void theTeamNamespaceSharesAnswersWithinATeamOnly() {
    try (TestServer server = TestServer.start(config(new JsonObject().put("enabled", true).put("namespace", "team")))) {
      JsonObject body = request("gpt", "team talk");
      assertThat(ResponseCacheTest.dispatch(server, body, new Caller("key-a", "team-1", null))).isEqualTo("miss");
      assertThat(ResponseCacheTest.dispatch(server, body, new Caller("key-b", "team-1", null))).isEqualTo("hit");
      assertThat(ResponseCacheTest.dispatch(server, body, new Caller("key-c", "team-2", null))).isEqualTo("miss");
      assertThat(ResponseCacheTest.dispatch(server, body, new Caller("key-d", null, null))).isEqualTo("miss");
      assertThat(ResponseCacheTest.dispatch(server, body, new Caller("key-e", null, null))).isEqualTo("miss");
      assertThat(upstream.count()).isEqualTo(4);
    }
  }

  @Test
  void theGlobalNamespaceSharesAnswersBetweenKeys() {
    try (TestServer server = TestServer.start(config(new JsonObject().put("enabled", true).put("namespace", "global")))) {
      JsonObject body = request("gpt", "everyone");
      assertThat(ResponseCacheTest.dispatch(server, body, new Caller("key-a", "team-1", null))).isEqualTo("miss");
      assertThat(ResponseCacheTest.dispatch(server, body, new Caller("key-b", "team-2", null))).isEqualTo("hit");
      assertThat(ResponseCacheTest.dispatch(server, body, Caller.ANONYMOUS)).isEqualTo("hit");
      assertThat(upstream.count()).isEqualTo(1);
    }
  }

  @Test
  void anyTemperatureCachesSampledRequestsToo() {
    try (TestServer server = TestServer.start(config(new JsonObject().put("enabled", true)
        .put("any_temperature", true)))) {
      JsonObject body = request("gpt", "creative").put("temperature", 0.9);
      assertThat(post(server, body).getHeader("x-poncho-cache")).isEqualTo("miss");
      assertThat(post(server, body).getHeader("x-poncho-cache")).isEqualTo("hit");
    }
  }

  @Test
  void theShippedDefaultIsOffAndAModelCanTurnItOn() {
    try (TestServer server = TestServer.start(config(new JsonObject()))) {
      JsonObject off = request("gpt", "default off");
      assertThat(post(server, off).getHeader("x-poncho-cache")).isEqualTo("bypass");
      assertThat(post(server, off).getHeader("x-poncho-cache")).isEqualTo("bypass");
      JsonObject on = request("cached", "model says on");
      assertThat(post(server, on).getHeader("x-poncho-cache")).isEqualTo("miss");
      assertThat(post(server, on).getHeader("x-poncho-cache")).isEqualTo("hit");
      assertThat(upstream.count()).isEqualTo(3);
    }
  }

  @Test
  void everyAnswerSaysBypassWhenNoModelIsCached() {
    JsonObject config = config(new JsonObject());
    config.getJsonObject("models").remove("cached");
    try (TestServer server = TestServer.start(config)) {
      assertThat(post(server, request("gpt", "nothing cached")).getHeader("x-poncho-cache")).isEqualTo("bypass");
      HttpResponse<Buffer> streamed = post(server, request("gpt", "nothing cached").put("stream", true));
      assertThat(streamed.getHeader("x-poncho-cache")).isEqualTo("bypass");
    }
  }

  @Test
  void promptCallsAreKeyedByPromptNameAndRenderedMessages(@TempDir Path prompts) throws IOException {
    Files.writeString(prompts.resolve("hello.prompt"), "Hello {{name}}!");
    Files.writeString(prompts.resolve("hi.prompt"), "Hello {{name}}!");
    JsonObject config = config(new JsonObject().put("enabled", true))
        .put("prompts", new JsonObject().put("dir", prompts.toString()).put("reload_interval", "0"));
    try (TestServer server = TestServer.start(config)) {
      JsonObject ana = new JsonObject().put("model", "prompt:hello").put("temperature", 0)
          .put("input", new JsonObject().put("name", "Ana"));
      assertThat(post(server, ana).getHeader("x-poncho-cache")).isEqualTo("miss");
      HttpResponse<Buffer> again = post(server, ana);
      assertThat(again.getHeader("x-poncho-cache")).isEqualTo("hit");
      assertThat(again.getHeader("x-poncho-model")).isEqualTo("gpt");
      HttpResponse<Buffer> execute = await(server.webClient(clientVertx).post("/api/v1/prompts/hello/execute")
          .sendJsonObject(new JsonObject().put("temperature", 0).put("input", new JsonObject().put("name", "Ana"))));
      assertThat(execute.getHeader("x-poncho-cache")).isEqualTo("hit");
      HttpResponse<Buffer> streamed = post(server, ana.copy().put("stream", true));
      assertThat(streamed.getHeader("x-poncho-cache")).isEqualTo("hit");
      assertThat(post(server, ana.copy().put("input", new JsonObject().put("name", "Bo")))
          .getHeader("x-poncho-cache")).isEqualTo("miss");
      assertThat(post(server, ana.copy().put("model", "prompt:hi")).getHeader("x-poncho-cache")).isEqualTo("miss");
      assertThat(upstream.count()).isEqualTo(3);
    }
  }

  @Test
  void badSettingsAreReportedTogether() {
    JsonObject config = config(new JsonObject().put("namespace", "tenant").put("ttl", "0s").put("max_bytes", "lots")
        .put("max_entries", 0).put("enabled", "maybe"));
    config.getJsonObject("models").getJsonObject("gpt").put("cache", "sometimes");
    assertThatThrownBy(() -> PonchoConfig.from(config)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("cache.namespace").hasMessageContaining("cache.ttl")
        .hasMessageContaining("cache.max_bytes").hasMessageContaining("cache.max_entries")
        .hasMessageContaining("cache.enabled").hasMessageContaining("models.gpt.cache");
  }

  @Test
  void defaultsAreDocumented() {
    CacheConfig defaults = PonchoConfig.from(config(new JsonObject())).cache();
    assertThat(defaults.enabled()).isFalse();
    assertThat(defaults.namespace()).isEqualTo(CacheConfig.Namespace.KEY);
    assertThat(defaults.ttl()).isEqualTo(CacheConfig.DEFAULT_TTL);
    assertThat(defaults.anyTemperature()).isFalse();
    assertThat(defaults.coalesce()).isTrue();
    assertThat(defaults.enabledFor("cached")).isTrue();
    assertThat(defaults.enabledFor("gpt")).isFalse();
  }
}

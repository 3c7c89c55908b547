package ai.poncho.provider;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.testing.ApiClient;
import ai.poncho.testing.Sse;
import ai.poncho.testing.TestServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Calls real providers, each only when its API key is in the environment (never in normal builds).
 * The upstream model can be changed with {@code <VENDOR>_SMOKE_MODEL}.
 */
class RealProviderSmokeTest {

  @Test
  @EnabledIfEnvironmentVariable(named = "DEEPSEEK_API_KEY", matches = ".+")
  void deepSeek() {
    smoke("deepseek", "DEEPSEEK_API_KEY", model("DEEPSEEK_SMOKE_MODEL", "deepseek-chat"));
  }

  @Test
  @EnabledIfEnvironmentVariable(named = "ZAI_API_KEY", matches = ".+")
  void zai() {
    smoke("zai", "ZAI_API_KEY", model("ZAI_SMOKE_MODEL", "glm-4.5-flash"));
  }

  @Test
  @EnabledIfEnvironmentVariable(named = "OPENAI_API_KEY", matches = ".+")
  void openAi() {
    smoke("openai", "OPENAI_API_KEY", model("OPENAI_SMOKE_MODEL", "gpt-4o-mini"));
  }

  @Test
  @EnabledIfEnvironmentVariable(named = "ANTHROPIC_API_KEY", matches = ".+")
  void anthropic() {
    smoke("anthropic", "ANTHROPIC_API_KEY", model("ANTHROPIC_SMOKE_MODEL", "claude-3-5-haiku-latest"));
  }

  private static String model(String variable, String fallback) {
    String value = System.getenv(variable);
    return value == null || value.isBlank() ? fallback : value;
  }

  private static void smoke(String provider, String keyVariable, String upstreamModel) {
    JsonObject config = TestServer.config();
    config.getJsonObject("models").put("smoke", new JsonObject().put("provider", provider)
        .put("model_name", upstreamModel).put("api_key", System.getenv(keyVariable)).put("timeout", "120s"));
    try (TestServer server = TestServer.start(config); ApiClient client = new ApiClient(server)) {
      JsonObject request = ApiClient.request("smoke", "Reply with the single word OK.").put("max_tokens", 200);
      HttpResponse<Buffer> response = client.chat(request);
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      JsonObject body = response.bodyAsJsonObject();
      assertThat(body.getJsonObject("usage").getInteger("total_tokens")).isPositive();
      assertThat(body.getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isNotNull();

      HttpResponse<Buffer> stream = client.chat(request.copy().put("stream", true)
          .put("stream_options", new JsonObject().put("include_usage", true)));
      assertThat(stream.statusCode()).isEqualTo(200);
      List<String> data = Sse.data(stream.bodyAsString());
      assertThat(data).last().isEqualTo("[DONE]");
      List<JsonObject> chunks = Sse.json(stream.bodyAsString());
      assertThat(chunks.get(chunks.size() - 1).getJsonObject("usage")).isNotNull();
    }
  }
}

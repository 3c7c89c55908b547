package ai.poncho.config;

import static ai.poncho.testing.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class ConfigLoaderTest {

  private static final String PROVIDERS = "anthropic, deepseek, mock, ollama, openai, openai_compatible, vllm, zai";

  @TempDir
  Path dir;

  private Path write(String yaml) throws IOException {
    Path file = dir.resolve("poncho.yaml");
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void substitutesVariablesWithDefaults(Vertx vertx) throws IOException {
    Path file = write("""
        http:
          host: ${TEST_HOST:-127.0.0.1}
          port: ${TEST_PORT}
        models:
          deepseek-chat:
            provider: deepseek
            api_key: ${DEEPSEEK_KEY}
            base_url: ${DS_URL:-https://api.deepseek.com}/v1
          mock:
            provider: mock
            custom_params: {note: "key=${DEEPSEEK_KEY:-none} region=${REGION}"}
        """);
    PonchoConfig config = await(ConfigLoader.load(vertx, file.toString(),
        Map.of("TEST_PORT", "9123", "REGION", "eu")));
    assertThat(config.http().host()).isEqualTo("127.0.0.1");
    assertThat(config.http().port()).isEqualTo(9123);
    ModelConfig deepseek = config.models().get("deepseek-chat");
    assertThat(deepseek.apiKey()).isNull();
    assertThat(deepseek.missingApiKey()).isTrue();
    assertThat(deepseek.baseUrl()).isEqualTo("https://api.deepseek.com/v1");
    assertThat(config.models().get("mock").customParams().getString("note")).isEqualTo("key=none region=eu");
    assertThat(config.warnings()).singleElement().asString().startsWith("models.deepseek-chat.api_key");
  }

  @Test
  void environmentOverridesNestedKeys(Vertx vertx) throws IOException {
    Path file = write("""
        http:
          port: 8080
        models:
          deepseek-chat:
            provider: deepseek
            timeout: 30s
        """);
    PonchoConfig config = await(ConfigLoader.load(vertx, file.toString(), Map.of(
        "PONCHO_HTTP__PORT", "9000",
        "PONCHO_HTTP__ACCESS_LOG", "false",
        "PONCHO_MODELS__DEEPSEEK_CHAT__API_KEY", "sk-from-env",
        "PONCHO_MODELS__DEEPSEEK_CHAT__TIMEOUT", "2m",
        "PONCHO_DISPATCH__STREAM_WINDOW", "8",
        "PONCHO_CONFIG", "ignored-path.yaml")));
    assertThat(config.http().port()).isEqualTo(9000);
    assertThat(config.http().accessLog()).isFalse();
    assertThat(config.models().get("deepseek-chat").apiKey()).isEqualTo("sk-from-env");
    assertThat(config.models().get("deepseek-chat").timeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.dispatch().streamWindow()).isEqualTo(8);
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  void defaultsApplyWhenSectionsAreAbsent() {
    PonchoConfig config = PonchoConfig.from(new JsonObject()
        .put("models", new JsonObject().put("m", new JsonObject().put("provider", "mock"))));
    assertThat(config.http().port()).isEqualTo(HttpConfig.DEFAULT_PORT);
    assertThat(config.http().maxBodyBytes()).isEqualTo(10L * 1024 * 1024);
    assertThat(config.defaultModel()).isEqualTo("m");
    ModelConfig model = config.models().get("m");
    assertThat(model.modelName()).isEqualTo("m");
    assertThat(model.maxTokens()).isEqualTo(ModelConfig.DEFAULT_MAX_TOKENS);
    assertThat(model.supports().stream()).isTrue();
  }

  @Test
  void aBadFileReportsEveryProblemWithItsPath(Vertx vertx) throws IOException {
    Path file = write("""
        http:
          port: 70000
          max_body_size: lots
          request_timeout: soon
        dispatch:
          stream_window: 0
        default_model: missing-model
        models:
          deepseek-chat:
            provider: deepseek
            temperature: 3
            max_tokens: -1
            timeout: forever
            base_url: ftp://example.com
          weird:
            provider: skynet
          nothing:
            model_name: x
        """);
    assertThatThrownBy(() -> await(ConfigLoader.load(vertx, file.toString(), Map.of())))
        .hasRootCauseInstanceOf(ConfigException.class)
        .rootCause()
        .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
            "http.port: must be between 0 and 65535 (got 70000)",
            "http.max_body_size: must be a size such as 65536, 512KB or 10MB (got 'lots')",
            "http.request_timeout: must be a duration such as 500ms, 30s, 2m or 1h (got 'soon')",
            "dispatch.stream_window: must be between 1 and 4096 (got 0)",
            "default_model: names no configured model ('missing-model')",
            "models.deepseek-chat.temperature: must be between 0 and 2",
            "models.deepseek-chat.max_tokens: must be between 1 and 10000000 (got -1)",
            "models.deepseek-chat.timeout: must be a duration such as 500ms, 30s, 2m or 1h (got 'forever')",
            "models.deepseek-chat.base_url: must be an http:// or https:// URL (got 'ftp://example.com')",
            "models.weird.provider: must be one of " + PROVIDERS + " (got 'skynet')",
            "models.nothing.provider: is required (one of " + PROVIDERS + ")"));
  }

  @Test
  void unreadableYamlIsAConfigProblem(Vertx vertx) throws IOException {
    Path file = write("http: [unclosed\n");
    assertThatThrownBy(() -> await(ConfigLoader.load(vertx, file.toString(), Map.of())))
        .hasRootCauseInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> await(ConfigLoader.load(vertx, dir.resolve("absent.yaml").toString(), Map.of())))
        .hasRootCauseInstanceOf(ConfigException.class);
  }

  @Test
  void theShippedDefaultConfigStartsWithNoEnvironment(Vertx vertx) {
    PonchoConfig config = await(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_PATH, Map.of()));
    assertThat(config.models()).containsKey("mock");
    assertThat(config.defaultModel()).isEqualTo("mock");
    assertThat(config.http().port()).isEqualTo(8080);
  }
}

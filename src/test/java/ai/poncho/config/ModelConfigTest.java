package ai.poncho.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.poncho.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ModelConfigTest {

  private static PonchoConfig read(JsonObject models) {
    JsonObject config = TestServer.config();
    models.forEach(entry -> config.getJsonObject("models").put(entry.getKey(), entry.getValue()));
    return PonchoConfig.from(config);
  }

  @Test
  void deploymentsInheritWhatTheyDoNotSet() {
    PonchoConfig config = read(new JsonObject().put("chat", new JsonObject().put("provider", "deepseek")
        .put("model_name", "deepseek-chat").put("api_key", "k1").put("timeout", "90s").put("pool_size", 8)
        .put("headers", new JsonObject().put("x-org", "poncho")).put("routing", "least_outstanding")
        .put("fallbacks", "mock")
        .put("deployments", new JsonArray()
            .add(new JsonObject().put("weight", 2))
            .add(new JsonObject().put("id", "eu").put("provider", "openai_compatible")
                .put("base_url", "https://eu.example.com/v1").put("api_key", "k2")))));
    ModelConfig chat = config.models().get("chat");
    assertThat(chat.routing()).isEqualTo(ModelConfig.Routing.LEAST_OUTSTANDING);
    assertThat(chat.fallbacks()).containsExactly("mock");
    assertThat(chat.deployments()).extracting(ModelConfig.Deployment::id).containsExactly("chat/0", "chat/eu");
    ModelConfig first = chat.deployments().get(0).model();
    assertThat(chat.deployments().get(0).weight()).isEqualTo(2);
    assertThat(first.baseUrl()).isEqualTo("https://api.deepseek.com");
    assertThat(first.timeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(first.connection().poolSize()).isEqualTo(8);
    assertThat(first.connection().headers()).containsEntry("x-org", "poncho");
    ModelConfig eu = chat.deployments().get(1).model();
    assertThat(eu.provider()).isEqualTo(ProviderKind.OPENAI_COMPATIBLE);
    assertThat(eu.apiKey()).isEqualTo("k2");
    assertThat(eu.modelName()).isEqualTo("deepseek-chat");
    assertThat(eu.name()).isEqualTo("chat");
  }

  @Test
  void allProblemsAreReportedAtOnceWithTheirPaths() {
    JsonObject models = new JsonObject()
        .put("a", new JsonObject().put("provider", "openai").put("api_key", "k").put("fallbacks",
            new JsonArray().add("a").add("nowhere")).put("routing", "random").put("max_retries", -1)
            .put("circuit_breaker", new JsonObject().put("failure_threshold", 0)))
        .put("b", new JsonObject().put("provider", "openai_compatible").put("connect_timeout", "soon")
            .put("deployments", new JsonArray().add(new JsonObject().put("weight", 0).put("fallbacks", "a"))
                .add("not a mapping")));
    assertThatThrownBy(() -> read(models)).isInstanceOfSatisfying(ConfigException.class, e ->
        assertThat(e.problems()).contains(
            "models.a.fallbacks: must not name the model itself ('a')",
            "models.a.fallbacks: names no configured model ('nowhere')",
            "models.a.routing: must be one of least_outstanding, weighted (got 'random')",
            "models.a.max_retries: must be between 0 and 20 (got -1)",
            "models.a.circuit_breaker.failure_threshold: must be between 1 and 10000 (got 0)",
            "models.b.base_url: is required for provider openai_compatible",
            "models.b.connect_timeout: must be a duration such as 500ms, 30s, 2m or 1h (got 'soon')",
            "models.b.deployments[0].weight: must be between 1 and 1000000 (got 0)",
            "models.b.deployments[0].fallbacks: belongs to the model, not to one of its deployments",
            "models.b.deployments[1]: must be a mapping"));
  }

  @Test
  void theMockModelRetriesAndBreaksOnlyWhenAskedTo() {
    PonchoConfig config = read(new JsonObject()
        .put("resilient-mock", new JsonObject().put("provider", "mock").put("max_retries", 1)
            .put("circuit_breaker", new JsonObject().put("enabled", true)))
        .put("real", new JsonObject().put("provider", "ollama")));
    assertThat(config.models().get("mock").retry().maxRetries()).isZero();
    assertThat(config.models().get("mock").breaker().enabled()).isFalse();
    assertThat(config.models().get("resilient-mock").retry().maxRetries()).isEqualTo(1);
    assertThat(config.models().get("resilient-mock").breaker().enabled()).isTrue();
    assertThat(config.models().get("real").retry().maxRetries()).isEqualTo(2);
    assertThat(config.models().get("real").breaker().enabled()).isTrue();
  }
  @Test
  void modelsDeclareChatOrEmbeddingType() {
    PonchoConfig config = read(new JsonObject()
        .put("vectors", new JsonObject().put("provider", "mock").put("type", "embedding").put("dimensions", 32))
        .put("default-vectors", new JsonObject().put("provider", "mock").put("type", "embedding"))
        .put("param-vectors", new JsonObject().put("provider", "mock").put("type", "embedding")
            .put("custom_params", new JsonObject().put("mock_dimensions", 12)))
        .put("zai-embed", new JsonObject().put("provider", "zai").put("type", "embedding")
            .put("model_name", "embedding-3").put("api_key", "k").put("fallbacks", "vectors")));
    assertThat(config.models().get("mock").type()).isEqualTo(ModelConfig.ModelType.CHAT);
    assertThat(config.models().get("vectors").type()).isEqualTo(ModelConfig.ModelType.EMBEDDING);
    assertThat(config.models().get("vectors").dimensions()).isEqualTo(32);
    assertThat(config.models().get("default-vectors").dimensions()).isEqualTo(ModelConfig.DEFAULT_MOCK_DIMENSIONS);
    assertThat(config.models().get("param-vectors").dimensions()).isEqualTo(12);
    assertThat(config.models().get("zai-embed").deployments().get(0).model().type())
        .isEqualTo(ModelConfig.ModelType.EMBEDDING);
  }

  @Test
  void embeddingTypeProblemsAreReported() {
    JsonObject models = new JsonObject()
        .put("claude-embed", new JsonObject().put("provider", "anthropic").put("api_key", "k").put("type", "embedding"))
        .put("odd", new JsonObject().put("provider", "mock").put("type", "rerank"))
        .put("vectors", new JsonObject().put("provider", "mock").put("type", "embedding").put("fallbacks", "mock"));
    assertThatThrownBy(() -> read(models)).isInstanceOfSatisfying(ConfigException.class, e ->
        assertThat(e.problems()).contains(
            "models.claude-embed.type: provider anthropic has no embeddings API; use an OpenAI-compatible provider",
            "models.odd.type: must be one of chat, embedding (got 'rerank')",
            "models.vectors.fallbacks: 'mock' has type chat, not embedding as this model"));
  }
}

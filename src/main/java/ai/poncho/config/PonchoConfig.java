package ai.poncho.config;

import ai.poncho.cache.CacheConfig;
import ai.poncho.limits.LimitsConfig;
import ai.poncho.provider.mock.MockSettings;
import ai.poncho.usage.UsageConfig;
import ai.poncho.ws.WsConfig;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole validated configuration. Verticles receive the raw JSON as their deployment config and
 * read it through {@link #from}, so any of them can be deployed alone on another node.
 */
public record PonchoConfig(
    HttpConfig http,
    DispatchConfig dispatch,
    MockSettings mock,
    Map<String, ModelConfig> models,
    String defaultModel,
    ClusterConfig cluster,
    MetricsConfig metrics,
    WsConfig ws,
    PromptsConfig prompts,
    StateConfig state,
    AuthConfig auth,
    ApiConfig api,
    LimitsConfig limits,
    UsageConfig usage,
    CacheConfig cache,
    LogConfig log,
    OtelConfig otel,
    List<String> warnings,
    JsonObject raw) {

  public static PonchoConfig from(JsonObject json) {
    ConfigReader root = ConfigReader.root(json);
    Map<String, ModelConfig> models = new LinkedHashMap<>();
    List<String> warnings = new ArrayList<>();
    ConfigReader modelsSection = root.section("models");
    modelsSection.sections().forEach((name, reader) -> {
      ModelConfig model = ModelConfig.from(name, reader);
      models.put(name, model);
      warnings.addAll(model.warnings(modelsSection.path(name)));
    });
    Map<String, ModelConfig.ModelType> types = new LinkedHashMap<>();
    models.forEach((name, model) -> types.put(name, model.type()));
    models.forEach((name, model) -> model.checkReferences(modelsSection.section(name), types));
    if (models.isEmpty()) {
      root.problem("models", "at least one model must be configured");
    }
    String defaultModel = root.string("default_model", models.isEmpty() ? null : models.keySet().iterator().next());
    if (defaultModel != null && !models.isEmpty() && !models.containsKey(defaultModel)) {
      root.problem("default_model", "names no configured model ('" + defaultModel + "')");
    }
    PonchoConfig config = new PonchoConfig(HttpConfig.from(root.section("http")),
        DispatchConfig.from(root.section("dispatch")), MockSettings.from(root.section("mock")), Map.copyOf(models),
        defaultModel, ClusterConfig.from(root.section("cluster")),
        MetricsConfig.from(root.section("metrics")), WsConfig.from(root.section("ws")),
        PromptsConfig.from(root.section("prompts")), StateConfig.from(root.section("state")),
        AuthConfig.from(root.section("auth")), ApiConfig.from(root.section("api")), LimitsConfig.from(root),
        UsageConfig.from(root.section("usage")),
        CacheConfig.from(root.section("cache"), modelsSection), LogConfig.from(root.section("log")),
        OtelConfig.from(root.section("otel")),
        List.copyOf(warnings), json);
    root.throwIfInvalid();
    return config;
  }
}

package ai.poncho.config;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One entry of the model registry, {@code models.<public name>}. Keys are the original framework's:
 * provider, model_name, api_key, base_url, max_tokens, temperature, timeout, supports, custom_params.
 */
public record ModelConfig(
    String name,
    ProviderKind provider,
    String modelName,
    String apiKey,
    String baseUrl,
    int maxTokens,
    Double temperature,
    Duration timeout,
    Supports supports,
    JsonObject customParams) {

  public static final int DEFAULT_MAX_TOKENS = 4096;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  /** What a model accepts; media parts are rejected for models without vision. */
  public record Supports(boolean vision, boolean tools, boolean stream, boolean system) {
    static Supports from(ConfigReader reader) {
      return new Supports(reader.bool("vision", false), reader.bool("tools", true), reader.bool("stream", true),
          reader.bool("system", true));
    }
  }

  public boolean missingApiKey() {
    return provider.needsApiKey() && (apiKey == null || apiKey.isBlank());
  }

  static ModelConfig from(String name, ConfigReader reader) {
    Set<String> ids = Arrays.stream(ProviderKind.values()).map(ProviderKind::id).collect(Collectors.toSet());
    String providerId = reader.string("provider", null);
    ProviderKind provider = ProviderKind.MOCK;
    if (providerId == null) {
      reader.problem("provider", "is required (one of " + String.join(", ", ids.stream().sorted().toList()) + ")");
    } else {
      provider = ProviderKind.byId(providerId).orElse(null);
      if (provider == null) {
        reader.problem("provider", "must be one of " + String.join(", ", ids.stream().sorted().toList())
            + " (got '" + providerId + "')");
        provider = ProviderKind.MOCK;
      }
    }
    String baseUrl = reader.string("base_url", provider.defaultBaseUrl());
    if (baseUrl != null && !baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
      reader.problem("base_url", "must be an http:// or https:// URL (got '" + baseUrl + "')");
    }
    return new ModelConfig(name, provider, reader.string("model_name", name), reader.string("api_key", null),
        baseUrl, reader.integer("max_tokens", DEFAULT_MAX_TOKENS, 1, 10_000_000), reader.number("temperature", 0, 2),
        reader.duration("timeout", DEFAULT_TIMEOUT), Supports.from(reader.section("supports")),
        reader.object("custom_params"));
  }

  /** Start-up warnings that do not stop the server. */
  List<String> warnings(String path) {
    return missingApiKey()
        ? List.of(path + ".api_key: not set; requests to model '" + name + "' answer 503 until it is")
        : List.of();
  }
}

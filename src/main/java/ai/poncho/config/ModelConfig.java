package ai.poncho.config;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One entry of the model registry, {@code models.<public name>}. Keys are the original framework's:
 * provider, model_name, api_key, base_url, max_tokens, temperature, timeout, supports, custom_params;
 * plus the connection and resilience keys (headers, connect_timeout, first_token_timeout,
 * stream_idle_timeout, pool_size, retry, circuit_breaker, fallbacks, deployments, routing), and
 * {@code type} (chat or embedding) with {@code dimensions} (the vectors' default size; the mock's size).
 *
 * <p>A model always has at least one {@link Deployment}: without a {@code deployments} list the entry
 * itself is its only deployment. Each listed deployment inherits every key it does not set from the
 * entry.
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
    JsonObject customParams,
    Connection connection,
    Retry retry,
    Breaker breaker,
    List<String> fallbacks,
    Routing routing,
    List<Deployment> deployments,
    ModelType type,
    int dimensions) {

  public static final int DEFAULT_MAX_TOKENS = 4096;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  /** The mock embedding model's vector size when {@code dimensions} is not set. */
  public static final int DEFAULT_MOCK_DIMENSIONS = 1536;

  /** Keys that describe the public model, not one of its upstreams; deployments do not inherit them. */
  private static final Set<String> MODEL_LEVEL_KEYS = Set.of("deployments", "fallbacks", "routing", "type");

  /** What a model is called for: chat (completions, messages, responses) or embeddings. */
  public enum ModelType {
    CHAT("chat"), EMBEDDING("embedding");

    private final String id;

    ModelType(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }
  }

  public ModelConfig {
    fallbacks = List.copyOf(fallbacks);
    deployments = List.copyOf(deployments);
  }

  /** What a model accepts; image parts are rejected for models without vision, audio parts without audio. */
  public record Supports(boolean vision, boolean tools, boolean stream, boolean system, boolean audio) {
    static Supports from(ConfigReader reader) {
      return new Supports(reader.bool("vision", false), reader.bool("tools", true), reader.bool("stream", true),
          reader.bool("system", true), reader.bool("audio", false));
    }
  }

  /**
   * The upstream connection: extra headers, connect timeout, time to the first byte (non-streamed) or
   * first token (streamed), the longest silence inside a stream, the keep-alive pool (at most
   * {@code pool_size} connections per model per node, waited for at most {@code pool_wait_timeout}) and
   * whether the upstream is spoken to over HTTP/2.
   */
  public record Connection(Map<String, String> headers, Duration connectTimeout, Duration firstTokenTimeout,
                           Duration streamIdleTimeout, int poolSize, Duration poolWaitTimeout, boolean http2) {
    public Connection {
      headers = Map.copyOf(headers);
    }
  }

  /** Retries of one deployment: exponential backoff with full jitter between initialBackoff and maxBackoff. */
  public record Retry(int maxRetries, Duration initialBackoff, Duration maxBackoff) {
  }

  /** The per-deployment circuit breaker: opens after {@code failureThreshold} failures, probes after resetTimeout. */
  public record Breaker(boolean enabled, int failureThreshold, Duration resetTimeout) {
  }

  /** How a request picks one of several deployments. */
  public enum Routing {
    WEIGHTED("weighted"), LEAST_OUTSTANDING("least_outstanding");

    private final String id;

    Routing(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }
  }

  /** One upstream serving a public model: {@code id} names it in metrics and health, {@code weight} in balancing. */
  public record Deployment(String id, int weight, ModelConfig model) {
  }

  /** Without the API key and header values, so that logging a model entry never leaks a secret. */
  @Override
  public String toString() {
    return "ModelConfig[name=" + name + ", provider=" + provider.id() + ", model_name=" + modelName + ", base_url="
        + baseUrl + ", api_key=" + (apiKey == null ? "unset" : "[redacted]") + ", headers=" + connection.headers().keySet()
        + ", deployments=" + deployments.stream().map(Deployment::id).toList() + "]";
  }

  /** Whether this deployment's provider needs a key and none is set. */
  public boolean missingOwnApiKey() {
    return provider.needsApiKey() && (apiKey == null || apiKey.isBlank());
  }

  /** True when no deployment of the model has its key. */
  public boolean missingApiKey() {
    return deployments.isEmpty() ? missingOwnApiKey()
        : deployments.stream().allMatch(deployment -> deployment.model().missingOwnApiKey());
  }

  static ModelConfig from(String name, ConfigReader reader) {
    List<String> fallbacks = reader.strings("fallbacks");
    Routing routing = Routing.valueOf(reader.oneOf("routing", "weighted", Set.of("weighted", "least_outstanding"))
        .toUpperCase(java.util.Locale.ROOT));
    List<ConfigReader> listed = reader.sectionList("deployments");
    if (reader.has("deployments") && listed.isEmpty()) {
      reader.problem("deployments", "must list at least one deployment");
    }
    ModelType type = ModelType.valueOf(reader.oneOf("type", "chat", Set.of("chat", "embedding"))
        .toUpperCase(java.util.Locale.ROOT));
    ModelConfig self = upstream(name, reader, fallbacks, routing, type);
    if (listed.isEmpty()) {
      return self.withDeployments(List.of(new Deployment(name, 1, self)));
    }
    JsonObject inherited = reader.raw().copy();
    MODEL_LEVEL_KEYS.forEach(inherited::remove);
    List<Deployment> deployments = new ArrayList<>();
    for (int i = 0; i < listed.size(); i++) {
      ConfigReader item = listed.get(i);
      for (String key : MODEL_LEVEL_KEYS) {
        if (item.has(key)) {
          item.problem(key, "belongs to the model, not to one of its deployments");
        }
      }
      String id = name + "/" + item.string("id", Integer.toString(i));
      int weight = item.integer("weight", 1, 1, 1_000_000);
      ConfigReader merged = item.withDefaults(inherited);
      deployments.add(new Deployment(id, weight, upstream(name, merged, List.of(), routing, type)));
    }
    long distinct = deployments.stream().map(Deployment::id).distinct().count();
    if (distinct != deployments.size()) {
      reader.problem("deployments", "ids must be unique");
    }
    return self.withDeployments(deployments);
  }

  private static ModelConfig upstream(String name, ConfigReader reader, List<String> fallbacks, Routing routing,
                                      ModelType type) {
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
    if (baseUrl == null && provider != ProviderKind.MOCK) {
      reader.problem("base_url", "is required for provider " + provider.id());
    } else if (baseUrl != null && !baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
      reader.problem("base_url", "must be an http:// or https:// URL (got '" + baseUrl + "')");
    }
    Duration timeout = reader.duration("timeout", DEFAULT_TIMEOUT);
    Connection connection = new Connection(reader.stringMap("headers"),
        reader.duration("connect_timeout", Duration.ofSeconds(10)),
        reader.duration("first_token_timeout", timeout),
        reader.duration("stream_idle_timeout", Duration.ofSeconds(60)),
        reader.integer("pool_size", 32, 1, 10_000),
        reader.duration("pool_wait_timeout", Duration.ofSeconds(10)),
        reader.bool("http2", false));
    // The mock model's faults are injected on purpose (tests, demos): it retries and breaks only when asked to.
    boolean real = provider != ProviderKind.MOCK;
    Retry retry = new Retry(reader.integer("max_retries", real ? 2 : 0, 0, 20),
        reader.duration("retry_initial_backoff", Duration.ofMillis(250)),
        reader.duration("retry_max_backoff", Duration.ofSeconds(10)));
    ConfigReader breakerSection = reader.section("circuit_breaker");
    Breaker breaker = new Breaker(breakerSection.bool("enabled", real),
        breakerSection.integer("failure_threshold", 5, 1, 10_000),
        breakerSection.duration("reset_timeout", Duration.ofSeconds(30)));
    return new ModelConfig(name, provider, reader.string("model_name", name), reader.string("api_key", null),
        baseUrl, reader.integer("max_tokens", DEFAULT_MAX_TOKENS, 1, 10_000_000), reader.number("temperature", 0, 2),
        timeout, Supports.from(reader.section("supports")), reader.object("custom_params"), connection, retry,
        breaker, fallbacks, routing, List.of(), type, dimensions(reader, provider, type));
  }

  /** Anthropic has no embeddings API; the mock's vectors have a configurable size. */
  private static int dimensions(ConfigReader reader, ProviderKind provider, ModelType type) {
    if (type == ModelType.EMBEDDING && provider == ProviderKind.ANTHROPIC) {
      reader.problem("type", "provider anthropic has no embeddings API; use an OpenAI-compatible provider");
    }
    int fallback = type == ModelType.EMBEDDING && provider == ProviderKind.MOCK ? DEFAULT_MOCK_DIMENSIONS : 0;
    // The mock's settings are mock_* keys of custom_params; its vector size may be given the same way.
    if (provider == ProviderKind.MOCK && reader.raw().getValue("custom_params") instanceof JsonObject params
        && params.containsKey("mock_dimensions")) {
      fallback = reader.section("custom_params").integer("mock_dimensions", fallback, 1, 65_536);
    }
    return reader.integer("dimensions", fallback, 0, 65_536);
  }

  private ModelConfig withDeployments(List<Deployment> newDeployments) {
    return new ModelConfig(name, provider, modelName, apiKey, baseUrl, maxTokens, temperature, timeout, supports,
        customParams, connection, retry, breaker, fallbacks, routing, newDeployments, type, dimensions);
  }

  /** Checks what needs the whole registry: fallbacks name other configured models. */
  void checkReferences(ConfigReader reader, Map<String, ModelType> types) {
    Set<String> modelNames = types.keySet();
    for (String fallback : fallbacks) {
      if (fallback.equals(name)) {
        reader.problem("fallbacks", "must not name the model itself ('" + name + "')");
      } else if (!modelNames.contains(fallback)) {
        reader.problem("fallbacks", "names no configured model ('" + fallback + "')");
      } else if (types.get(fallback) != type) {
        reader.problem("fallbacks", "'" + fallback + "' has type " + types.get(fallback).id()
            + ", not " + type.id() + " as this model");
      }
    }
  }

  /** Start-up warnings that do not stop the server. */
  List<String> warnings(String path) {
    List<String> warnings = new ArrayList<>();
    if (missingApiKey()) {
      warnings.add(path + ".api_key: not set; requests to model '" + name + "' answer 503 until it is");
    } else if (deployments.size() > 1) {
      deployments.stream().filter(deployment -> deployment.model().missingOwnApiKey()).forEach(deployment ->
          warnings.add(path + ".deployments: '" + deployment.id() + "' has no api_key; it is skipped"));
    }
    return warnings;
  }
}

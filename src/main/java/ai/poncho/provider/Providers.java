package ai.poncho.provider;

import ai.poncho.config.ModelConfig;
import ai.poncho.config.PonchoConfig;
import ai.poncho.config.ProviderKind;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.error.GatewayException;
import ai.poncho.provider.anthropic.AnthropicFormat;
import ai.poncho.provider.http.HttpChatProvider;
import ai.poncho.provider.mock.MockEmbeddings;
import ai.poncho.provider.mock.MockProvider;
import ai.poncho.provider.openai.OpenAiEmbeddings;
import ai.poncho.provider.openai.OpenAiFormat;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The provider implementation for each provider family, created once per dispatch verticle. The HTTP
 * providers keep one connection pool per deployment.
 */
public final class Providers {

  private final Map<ProviderKind, ChatProvider> byKind = new EnumMap<>(ProviderKind.class);
  private final Map<ProviderKind, EmbeddingProvider> embeddingsByKind = new EnumMap<>(ProviderKind.class);

  public Providers(Vertx vertx, PonchoConfig config, MeterRegistry registry) {
    byKind.put(ProviderKind.MOCK, new MockProvider(vertx, config.mock(), registry));
    embeddingsByKind.put(ProviderKind.MOCK, new MockEmbeddings(vertx, config.mock()));
    ChatProvider openAi = new HttpChatProvider(vertx, new OpenAiFormat(), registry);
    EmbeddingProvider openAiEmbeddings = new OpenAiEmbeddings(vertx);
    for (ProviderKind kind : List.of(ProviderKind.OPENAI, ProviderKind.DEEPSEEK, ProviderKind.ZAI,
        ProviderKind.OLLAMA, ProviderKind.VLLM, ProviderKind.OPENAI_COMPATIBLE)) {
      byKind.put(kind, openAi);
      embeddingsByKind.put(kind, openAiEmbeddings);
    }
    byKind.put(ProviderKind.ANTHROPIC, new HttpChatProvider(vertx, new AnthropicFormat(), registry));
  }

  public ChatProvider forModel(ModelConfig model) {
    ChatProvider provider = byKind.get(model.provider());
    if (provider == null) {
      throw new GatewayException(GatewayError.of(ErrorKind.SERVICE_UNAVAILABLE, "provider_unavailable", "model",
          "The provider '" + model.provider().id() + "' of model '" + model.name() + "' is not available."));
    }
    return provider;
  }

  /** The embeddings API of the model's provider family (configuration rejects embedding models without one). */
  public EmbeddingProvider embeddingsFor(ModelConfig model) {
    EmbeddingProvider provider = embeddingsByKind.get(model.provider());
    if (provider == null) {
      throw new GatewayException(GatewayError.of(ErrorKind.SERVICE_UNAVAILABLE, "provider_unavailable", "model",
          "The provider '" + model.provider().id() + "' of model '" + model.name() + "' has no embeddings API."));
    }
    return provider;
  }

  public Future<Void> close() {
    return Future.all(java.util.stream.Stream.concat(
            byKind.values().stream().distinct().map(ChatProvider::close),
            embeddingsByKind.values().stream().distinct().map(EmbeddingProvider::close)).toList())
        .mapEmpty();
  }
}

package ai.poncho.provider;

import ai.poncho.config.ModelConfig;
import ai.poncho.embedding.EmbeddingRequest;
import io.vertx.core.Future;

/**
 * An embeddings request bound to the deployment that serves it; {@code cancelled} completes when the
 * client went away, and the provider then stops the upstream call ({@link ProviderCall#CANCELLED}).
 */
public record EmbeddingCall(String requestId, ModelConfig model, EmbeddingRequest request, Future<Void> cancelled) {
}

package ai.poncho.provider;

import ai.poncho.chat.ChatRequest;
import ai.poncho.config.ModelConfig;

/**
 * A request bound to the model entry that serves it. {@code request.model()} is the public name the
 * client used; {@code model.modelName()} is the upstream's name.
 */
public record ProviderCall(String requestId, ModelConfig model, ChatRequest request) {
}

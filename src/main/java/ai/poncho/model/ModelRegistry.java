package ai.poncho.model;

import ai.poncho.chat.ChatMessage;
import ai.poncho.chat.ChatRequest;
import ai.poncho.chat.ContentPart;
import ai.poncho.config.ModelConfig;
import ai.poncho.config.ProviderKind;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.error.GatewayException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The configured models by public name. Checks a request against what its model supports (the limits
 * only the registry knows) and applies the model's defaults.
 */
public final class ModelRegistry {

  private final Map<String, ModelConfig> models;
  private final long created = System.currentTimeMillis() / 1000;

  public ModelRegistry(Map<String, ModelConfig> models) {
    this.models = Map.copyOf(models);
  }

  public Collection<ModelConfig> models() {
    return models.values();
  }

  public ModelConfig resolve(String name) {
    ModelConfig model = models.get(name);
    if (model == null) {
      throw new GatewayException(GatewayError.of(ErrorKind.NOT_FOUND, "model_not_found", "model",
          "The model '" + name + "' does not exist or you do not have access to it."));
    }
    return model;
  }

  /** The provider family serving a public model, for metrics; "none" for unknown names. */
  public String providerOf(String name) {
    ModelConfig model = models.get(name);
    return model == null ? "none" : model.provider().id();
  }

  /** The request as the model will receive it, or a 400/404/503 naming what does not fit. */
  public ChatRequest admit(ModelConfig model, ChatRequest request) {
    if (model.missingApiKey()) {
      throw new GatewayException(GatewayError.of(ErrorKind.SERVICE_UNAVAILABLE, "model_not_configured", "model",
          "The model '" + model.name() + "' has no API key configured (models." + model.name() + ".api_key)."));
    }
    if (model.type() != ModelConfig.ModelType.CHAT) {
      throw wrongType(model, "chat");
    }
    ModelConfig.Supports supports = model.supports();
    if (request.stream() && !supports.stream()) {
      throw invalid("stream", "unsupported_parameter", "The model '" + model.name() + "' does not support streaming.");
    }
    if (request.hasImages() && !supports.vision()) {
      throw invalid("messages", "unsupported_content",
          "The model '" + model.name() + "' does not support image inputs.");
    }
    String audio = firstAudioPart(request.messages());
    if (audio != null && (!supports.audio() || model.provider() == ProviderKind.ANTHROPIC)) {
      // Anthropic's Messages API has no audio input, whatever the configuration says.
      throw invalid(audio, "unsupported_content", "The model '" + model.name() + "' does not support audio inputs ("
          + audio + " is an input_audio part).");
    }
    if (request.hasTools() && !supports.tools()) {
      throw invalid("tools", "unsupported_parameter", "The model '" + model.name() + "' does not support tools.");
    }
    if (request.maxTokens() != null && request.maxTokens() > model.maxTokens()) {
      throw invalid("max_tokens", "invalid_value", "Invalid 'max_tokens': the model '" + model.name()
          + "' allows at most " + model.maxTokens() + ", but got " + request.maxTokens() + " instead.");
    }
    List<ChatMessage> messages = supports.system() ? request.messages() : foldSystem(request.messages());
    Double temperature = request.temperature() != null ? request.temperature() : model.temperature();
    // The model's max_tokens caps every answer: a request that sets no limit gets it (and sends it upstream).
    Integer maxTokens = request.maxTokens() != null ? request.maxTokens() : Integer.valueOf(model.maxTokens());
    if (messages == request.messages() && temperature == request.temperature() && maxTokens == request.maxTokens()) {
      return request;
    }
    return new ChatRequest(request.model(), messages, temperature, request.topP(), maxTokens,
        request.stop(), request.stream(), request.includeUsage(), request.user(), request.metadata(), request.tools(),
        request.toolChoice(), request.extra());
  }

  /** An embedding request for {@code model}, or a 400/503 when the model cannot embed. */
  public void admitEmbedding(ModelConfig model) {
    if (model.missingApiKey()) {
      throw new GatewayException(GatewayError.of(ErrorKind.SERVICE_UNAVAILABLE, "model_not_configured", "model",
          "The model '" + model.name() + "' has no API key configured (models." + model.name() + ".api_key)."));
    }
    if (model.type() != ModelConfig.ModelType.EMBEDDING) {
      throw wrongType(model, "embedding");
    }
  }

  private static GatewayException wrongType(ModelConfig model, String wanted) {
    String endpoint = wanted.equals("chat") ? "chat (completions, messages, responses)" : "embeddings";
    String article = wanted.equals("chat") ? "an " : "a ";
    return invalid("model", "model_type_mismatch", "The model '" + model.name() + "' is " + article
        + model.type().id() + " model and cannot be used for " + endpoint + "; choose a model with type: " + wanted
        + ".");
  }

  /** The path of the first audio part ({@code messages[i].content[j]}), or null. */
  private static String firstAudioPart(List<ChatMessage> messages) {
    for (int i = 0; i < messages.size(); i++) {
      List<ContentPart> parts = messages.get(i).parts();
      for (int j = 0; parts != null && j < parts.size(); j++) {
        if (parts.get(j).isAudio()) {
          return "messages[" + i + "].content[" + j + "]";
        }
      }
    }
    return null;
  }

  /** OpenAI model objects for {@code GET /v1/models}. */
  public JsonArray list() {
    JsonArray data = new JsonArray();
    models.values().stream().sorted((a, b) -> a.name().compareTo(b.name())).forEach(model -> data.add(
        new JsonObject().put("id", model.name()).put("object", "model").put("created", created)
            .put("owned_by", model.provider().id())));
    return data;
  }

  /** For models without system-prompt support: system and developer text moves into the first user message. */
  private static List<ChatMessage> foldSystem(List<ChatMessage> messages) {
    StringBuilder system = new StringBuilder();
    List<ChatMessage> rest = new ArrayList<>();
    for (ChatMessage message : messages) {
      if (ChatMessage.SYSTEM.equals(message.role()) || ChatMessage.DEVELOPER.equals(message.role())) {
        system.append(message.textContent()).append("\n\n");
      } else {
        rest.add(message);
      }
    }
    if (system.isEmpty()) {
      return messages;
    }
    for (int i = 0; i < rest.size(); i++) {
      ChatMessage message = rest.get(i);
      if (ChatMessage.USER.equals(message.role())) {
        ChatMessage merged = message.parts() == null
            ? new ChatMessage(message.role(), system + message.textContent(), null, message.name(), null, null)
            : new ChatMessage(message.role(), null, prepend(ContentPart.text(system.toString().trim()),
                message.parts()), message.name(), null, null);
        rest.set(i, merged);
        return rest;
      }
    }
    rest.add(0, ChatMessage.of(ChatMessage.USER, system.toString().trim()));
    return rest;
  }

  private static List<ContentPart> prepend(ContentPart first, List<ContentPart> parts) {
    List<ContentPart> result = new ArrayList<>(parts.size() + 1);
    result.add(first);
    result.addAll(parts);
    return result;
  }

  private static GatewayException invalid(String param, String code, String message) {
    return new GatewayException(GatewayError.of(ErrorKind.INVALID_REQUEST, code, param, message));
  }
}

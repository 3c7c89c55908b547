package ai.poncho.chat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * The canonical chat request every provider translates from: the OpenAI chat-completions request,
 * validated. Fields the gateway does not interpret (seed, response_format, …) travel in {@code extra}
 * and are passed to OpenAI-compatible upstreams as they came.
 */
public record ChatRequest(
    String model,
    List<ChatMessage> messages,
    Double temperature,
    Double topP,
    Integer maxTokens,
    List<String> stop,
    boolean stream,
    boolean includeUsage,
    String user,
    Map<String, Object> metadata,
    JsonArray tools,
    Object toolChoice,
    JsonObject extra) {

  public ChatRequest {
    messages = List.copyOf(messages);
    stop = stop == null ? null : List.copyOf(stop);
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    extra = extra == null ? new JsonObject() : extra;
  }

  public ChatRequest withModel(String newModel) {
    return new ChatRequest(newModel, messages, temperature, topP, maxTokens, stop, stream, includeUsage, user,
        metadata, tools, toolChoice, extra);
  }

  /** Usage chunks exist only in streams, so a non-streamed copy drops {@code includeUsage}. */
  public ChatRequest withStream(boolean newStream) {
    return new ChatRequest(model, messages, temperature, topP, maxTokens, stop, newStream,
        newStream && includeUsage, user, metadata, tools, toolChoice, extra);
  }

  public boolean hasImages() {
    return messages.stream().anyMatch(ChatMessage::hasImages);
  }

  public boolean hasTools() {
    return tools != null && !tools.isEmpty();
  }

  /** The request in OpenAI wire form (also its form on a clustered event bus). */
  public JsonObject toJson() {
    JsonObject json = extra.copy().put("model", model);
    JsonArray array = new JsonArray();
    messages.forEach(message -> array.add(message.toJson()));
    json.put("messages", array);
    putIfSet(json, "temperature", temperature);
    putIfSet(json, "top_p", topP);
    putIfSet(json, "max_tokens", maxTokens);
    if (stop != null) {
      json.put("stop", new JsonArray(stop));
    }
    if (stream) {
      json.put("stream", true);
      if (includeUsage) {
        json.put("stream_options", new JsonObject().put("include_usage", true));
      }
    }
    putIfSet(json, "user", user);
    if (!metadata.isEmpty()) {
      json.put("metadata", new JsonObject(new java.util.LinkedHashMap<>(metadata)));
    }
    putIfSet(json, "tools", tools);
    putIfSet(json, "tool_choice", toolChoice);
    return json;
  }

  private static void putIfSet(JsonObject json, String key, Object value) {
    if (value != null) {
      json.put(key, value);
    }
  }
}

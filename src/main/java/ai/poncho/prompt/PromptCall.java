package ai.poncho.prompt;

import ai.poncho.bus.PromptExecution;
import ai.poncho.chat.ChatMessage;
import ai.poncho.chat.ChatRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What a render needs: which prompt (and variant), the variables, the {@code @} context, the history, the
 * model override and the request's own tools (merged with the prompt's).
 */
record PromptCall(String name, String variant, JsonObject input, JsonObject context, List<ChatMessage> history,
                  String model, JsonArray tools) {

  /** Reads a prompt run as {@link PromptExecution} describes it. */
  static PromptCall from(ChatRequest request) {
    JsonObject extra = request.extra();
    return new PromptCall(PromptExecution.promptName(request), string(extra, PromptExecution.VARIANT),
        object(extra, PromptExecution.INPUT), object(extra, PromptExecution.CONTEXT), request.messages(),
        string(extra, PromptExecution.MODEL_OVERRIDE), request.tools());
  }

  private static JsonObject object(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return new JsonObject();
    }
    if (!(value instanceof JsonObject object)) {
      throw PromptException.invalid("invalid_type", key, "Invalid type for '" + key + "': expected an object.");
    }
    return object;
  }

  private static String string(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s) || s.isBlank()) {
      throw PromptException.invalid("invalid_type", key, "Invalid type for '" + key + "': expected a string.");
    }
    return s;
  }
}

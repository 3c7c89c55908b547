package ai.poncho.bus;

import ai.poncho.chat.ChatMessage;
import ai.poncho.chat.ChatRequest;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * How a prompt execution travels to {@link Addresses#PROMPT_COMPLETE} / {@link Addresses#PROMPT_STREAM}:
 * a {@link ChatRequest} whose model is {@code prompt:<name>}, whose messages are the history for
 * {@code {{history}}} (possibly none), and whose extra fields carry {@code input} (the variables),
 * {@code context} (the {@code @} variables), {@code variant} and {@code prompt_model} (a model override,
 * since {@code model} names the prompt). The same fields, sent to {@code POST /v1/chat/completions}
 * with {@code "model": "prompt:<name>"}, run a prompt through the OpenAI-compatible API.
 */
public final class PromptExecution {

  public static final String MODEL_PREFIX = "prompt:";
  public static final String INPUT = "input";
  public static final String CONTEXT = "context";
  public static final String VARIANT = "variant";
  public static final String MODEL_OVERRIDE = "prompt_model";

  private PromptExecution() {
  }

  public static boolean isPrompt(String model) {
    return model != null && model.startsWith(MODEL_PREFIX);
  }

  public static String promptName(ChatRequest request) {
    return request.model().substring(MODEL_PREFIX.length());
  }

  public static ChatRequest request(String name, JsonObject input, JsonObject context, String variant, String model,
                                    List<ChatMessage> history, boolean stream, boolean includeUsage,
                                    Map<String, Object> metadata) {
    JsonObject extra = new JsonObject().put(INPUT, input == null ? new JsonObject() : input);
    if (context != null) {
      extra.put(CONTEXT, context);
    }
    if (variant != null) {
      extra.put(VARIANT, variant);
    }
    if (model != null) {
      extra.put(MODEL_OVERRIDE, model);
    }
    return new ChatRequest(MODEL_PREFIX + name, history == null ? List.of() : history, null, null, null, null,
        stream, includeUsage, null, metadata, null, null, extra);
  }
}

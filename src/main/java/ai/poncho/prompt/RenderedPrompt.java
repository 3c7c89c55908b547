package ai.poncho.prompt;

import ai.poncho.bus.PromptExecution;
import ai.poncho.chat.ChatMessage;
import ai.poncho.chat.ChatRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** A rendered prompt: the OpenAI messages to send, the chosen model and the prompt's settings. */
record RenderedPrompt(CompiledPrompt prompt, List<ChatMessage> messages, String model) {

  /** The dry-run answer of the render API. */
  JsonObject toJson() {
    JsonArray array = new JsonArray();
    messages.forEach(message -> array.add(message.toJson()));
    JsonObject json = new JsonObject().put("name", prompt.name()).put("model", model)
        .put("config", prompt.settings().toJson()).put("messages", array);
    if (prompt.variant() != null) {
      json.put("variant", prompt.variant());
    }
    if (prompt.metadata().outputFormat() != null || prompt.metadata().outputSchema() != null) {
      json.put("output", prompt.metadata().toJson().getJsonObject("output"));
    }
    return json;
  }

  /**
   * The chat request to dispatch: the caller's own sampling settings win over the prompt's; the prompt-run
   * fields leave {@code extra}, everything else (metadata, user, tools, stream) carries over.
   */
  ChatRequest toChatRequest(ChatRequest run) {
    PromptSettings settings = prompt.settings();
    JsonObject extra = run.extra().copy();
    extra.remove(PromptExecution.INPUT);
    extra.remove(PromptExecution.CONTEXT);
    extra.remove(PromptExecution.VARIANT);
    extra.remove(PromptExecution.MODEL_OVERRIDE);
    return new ChatRequest(model, messages,
        run.temperature() != null ? run.temperature() : settings.temperature(),
        run.topP() != null ? run.topP() : settings.topP(),
        run.maxTokens() != null ? run.maxTokens() : settings.maxTokens(),
        run.stop() != null ? run.stop() : settings.stop(),
        run.stream(), run.includeUsage(), run.user(), run.metadata(), run.tools(), run.toolChoice(), extra);
  }
}

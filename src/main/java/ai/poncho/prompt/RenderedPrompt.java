package ai.poncho.prompt;

import ai.poncho.bus.PromptExecution;
import ai.poncho.chat.ChatMessage;
import ai.poncho.chat.ChatRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rendered prompt: its Dotprompt messages, the chosen model, the prompt (settings, tools) and the tools
 * the request itself carried.
 */
record RenderedPrompt(CompiledPrompt prompt, List<PromptMessage> rendered, String model, JsonArray requestTools) {

  RenderedPrompt {
    rendered = List.copyOf(rendered);
  }

  /**
   * The dry-run answer of the render API: the OpenAI messages that would be sent (media parts with their
   * {@code content_type}), the tools, and under {@code dotprompt} the messages and metadata in Dotprompt's
   * own shape (roles user/model/system, text/media/metadata parts).
   */
  JsonObject toJson() {
    JsonArray messages = new JsonArray();
    JsonArray dotprompt = new JsonArray();
    for (PromptMessage message : rendered) {
      dotprompt.add(message.toJson());
      if (message.hasContent()) {
        messages.add(message.toRenderJson());
      }
    }
    JsonObject json = new JsonObject().put("name", prompt.name()).put("model", model)
        .put("config", prompt.settings().toJson()).put("messages", messages);
    if (prompt.variant() != null) {
      json.put("variant", prompt.variant());
    }
    JsonArray tools = tools(requestTools);
    if (tools != null) {
      json.put("tools", tools);
    }
    if (prompt.metadata().outputFormat() != null || prompt.metadata().outputSchema() != null) {
      json.put("output", prompt.metadata().toJson().getJsonObject("output"));
    }
    return json.put("dotprompt", new JsonObject().put("messages", dotprompt)
        .put("metadata", prompt.metadata().toJson()));
  }

  /** The OpenAI messages to send; a 400 when a media part cannot be sent or nothing is left to send. */
  List<ChatMessage> chatMessages() {
    List<ChatMessage> messages = new ArrayList<>();
    for (PromptMessage message : rendered) {
      ChatMessage chat = message.toChat(messages.size());
      if (chat != null) {
        messages.add(chat);
      }
    }
    if (messages.isEmpty()) {
      throw PromptException.invalid("prompt_rendered_empty", "input",
          "The prompt '" + prompt.name() + "' rendered no messages.");
    }
    return messages;
  }

  /**
   * The chat request to dispatch: the caller's own sampling settings win over the prompt's, the prompt's
   * tools are merged with the caller's (a caller's function of the same name replaces the prompt's); the
   * prompt-run fields leave {@code extra}, everything else (metadata, user, tool_choice, stream) carries over.
   */
  ChatRequest toChatRequest(ChatRequest run) {
    PromptSettings settings = prompt.settings();
    JsonObject extra = run.extra().copy();
    extra.remove(PromptExecution.INPUT);
    extra.remove(PromptExecution.CONTEXT);
    extra.remove(PromptExecution.VARIANT);
    extra.remove(PromptExecution.MODEL_OVERRIDE);
    return new ChatRequest(model, chatMessages(),
        run.temperature() != null ? run.temperature() : settings.temperature(),
        run.topP() != null ? run.topP() : settings.topP(),
        run.maxTokens() != null ? run.maxTokens() : settings.maxTokens(),
        run.stop() != null ? run.stop() : settings.stop(),
        run.stream(), run.includeUsage(), run.user(), run.metadata(), tools(run.tools()), run.toolChoice(), extra);
  }

  /** The prompt's function tools, then the request's; null when there are none. */
  private JsonArray tools(JsonArray requestTools) {
    Map<String, JsonObject> merged = new LinkedHashMap<>();
    List<JsonObject> unnamed = new ArrayList<>();
    prompt.tools().forEach(tool -> merged.put(ToolDefinitions.functionName(tool), tool.copy()));
    if (requestTools != null) {
      for (Object tool : requestTools) {
        JsonObject json = (JsonObject) tool;
        String name = ToolDefinitions.functionName(json);
        if (name == null) {
          unnamed.add(json);
        } else {
          merged.remove(name);
          merged.put(name, json);
        }
      }
    }
    if (merged.isEmpty() && unnamed.isEmpty()) {
      return null;
    }
    JsonArray tools = new JsonArray();
    merged.values().forEach(tools::add);
    unnamed.forEach(tools::add);
    return tools;
  }
}

package ai.poncho.api.anthropic;

import ai.poncho.chat.ChatMessage;
import ai.poncho.chat.ChatResponse;
import ai.poncho.chat.FinishReason;
import ai.poncho.chat.Ids;
import ai.poncho.chat.ToolCall;
import ai.poncho.chat.Usage;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Canonical completions as Anthropic {@code message} objects: content blocks, stop reason, usage. */
public final class AnthropicMessages {

  private AnthropicMessages() {
  }

  public static JsonObject message(ChatResponse response) {
    ChatMessage message = response.choices().isEmpty() ? ChatMessage.of(ChatMessage.ASSISTANT, "")
        : response.choices().get(0).message();
    JsonArray content = new JsonArray();
    String text = message.textContent();
    if (!text.isEmpty() || message.toolCalls() == null) {
      content.add(new JsonObject().put("type", "text").put("text", text));
    }
    if (message.toolCalls() != null) {
      for (ToolCall call : message.toolCalls()) {
        content.add(new JsonObject().put("type", "tool_use").put("id", toolUseId(call.id())).put("name", call.name())
            .put("input", input(call.arguments())));
      }
    }
    return new JsonObject().put("id", messageId(response.id())).put("type", "message").put("role", "assistant")
        .put("model", response.model()).put("content", content)
        .put("stop_reason", stopReason(response.finishReason(), response.stopSequence()))
        .put("stop_sequence", response.stopSequence())
        .put("usage", usage(response.usage()));
  }

  /** An Anthropic upstream's own id passes unchanged; others get a message id of Anthropic's form. */
  static String messageId(String id) {
    return id != null && id.startsWith("msg_") ? id : Ids.random("msg_");
  }

  /** Tool ids of an Anthropic upstream ({@code toolu_…}) pass unchanged; so do other providers' ids. */
  static String toolUseId(String id) {
    return id == null || id.isEmpty() ? Ids.random("toolu_") : id;
  }

  static String stopReason(String finishReason, String stopSequence) {
    if (stopSequence != null) {
      return "stop_sequence";
    }
    if (finishReason == null) {
      return "end_turn";
    }
    return switch (finishReason) {
      case FinishReason.LENGTH -> "max_tokens";
      case FinishReason.TOOL_CALLS -> "tool_use";
      case FinishReason.CONTENT_FILTER -> "refusal";
      default -> "end_turn";
    };
  }

  static JsonObject usage(Usage usage) {
    return new JsonObject().put("input_tokens", usage == null ? 0 : usage.promptTokens())
        .put("output_tokens", usage == null ? 0 : usage.completionTokens());
  }

  /** Arguments that are not a JSON object (a model's mistake) arrive as a string under {@code "arguments"}. */
  static JsonObject input(String arguments) {
    if (arguments == null || arguments.isBlank()) {
      return new JsonObject();
    }
    try {
      Object value = io.vertx.core.json.Json.decodeValue(arguments);
      if (value instanceof JsonObject object) {
        return object;
      }
    } catch (DecodeException e) {
      // falls through: keep the model's text
    }
    return new JsonObject().put("arguments", arguments);
  }
}

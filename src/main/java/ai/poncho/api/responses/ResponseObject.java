package ai.poncho.api.responses;

import ai.poncho.chat.ChatMessage;
import ai.poncho.chat.ChatResponse;
import ai.poncho.chat.FinishReason;
import ai.poncho.chat.Ids;
import ai.poncho.chat.ToolCall;
import ai.poncho.chat.Usage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One {@code response} object of the Responses API: the request's settings echoed, the output items
 * ({@code message} with {@code output_text}, {@code function_call}), status and usage. Nothing is
 * stored, so {@code store} is always false.
 */
final class ResponseObject {

  private final String id = Ids.random("resp_");
  private final long createdAt = System.currentTimeMillis() / 1000;
  private final JsonObject body;

  ResponseObject(JsonObject body) {
    this.body = body;
  }

  String id() {
    return id;
  }

  /** The object with no output yet, as {@code response.created} and {@code response.in_progress} carry it. */
  JsonObject inProgress(String model) {
    return base(model, "in_progress", new JsonArray(), null);
  }

  JsonObject finished(String model, JsonArray output, String finishReason, Usage usage) {
    JsonObject response = base(model, status(finishReason), output, usage);
    String reason = FinishReason.LENGTH.equals(finishReason) ? "max_output_tokens"
        : FinishReason.CONTENT_FILTER.equals(finishReason) ? "content_filter" : null;
    if (reason != null) {
      response.put("incomplete_details", new JsonObject().put("reason", reason));
    }
    return response;
  }

  JsonObject failed(String model, JsonArray output, String code, String message) {
    return base(model, "failed", output, null).put("error", new JsonObject().put("code", code)
        .put("message", message));
  }

  /** A complete non-streamed answer. */
  JsonObject of(ChatResponse completion) {
    ChatMessage message = completion.choices().isEmpty() ? ChatMessage.of(ChatMessage.ASSISTANT, "")
        : completion.choices().get(0).message();
    JsonArray output = new JsonArray();
    String text = message.textContent();
    if (!text.isEmpty() || message.toolCalls() == null) {
      output.add(messageItem(Ids.random("msg_"), "completed", text));
    }
    if (message.toolCalls() != null) {
      for (ToolCall call : message.toolCalls()) {
        output.add(functionCallItem(Ids.random("fc_"), "completed", callId(call.id()), call.name(),
            call.arguments() == null ? "" : call.arguments()));
      }
    }
    return finished(completion.model(), output, completion.finishReason(), completion.usage());
  }

  static String status(String finishReason) {
    return FinishReason.LENGTH.equals(finishReason) || FinishReason.CONTENT_FILTER.equals(finishReason)
        ? "incomplete" : "completed";
  }

  static String callId(String id) {
    return id == null || id.isEmpty() ? Ids.random("call_") : id;
  }

  static JsonObject messageItem(String id, String status, String text) {
    JsonArray content = new JsonArray();
    if (text != null) {
      content.add(outputText(text));
    }
    return new JsonObject().put("type", "message").put("id", id).put("status", status).put("role", "assistant")
        .put("content", content);
  }

  static JsonObject outputText(String text) {
    return new JsonObject().put("type", "output_text").put("text", text).put("annotations", new JsonArray())
        .put("logprobs", new JsonArray());
  }

  static JsonObject functionCallItem(String id, String status, String callId, String name, String arguments) {
    return new JsonObject().put("type", "function_call").put("id", id).put("call_id", callId).put("name", name)
        .put("arguments", arguments).put("status", status);
  }

  private JsonObject base(String model, String status, JsonArray output, Usage usage) {
    JsonObject response = new JsonObject().put("id", id).put("object", "response").put("created_at", createdAt)
        .put("status", status).put("error", null).put("incomplete_details", null)
        .put("instructions", body.getValue("instructions"))
        .put("max_output_tokens", body.getValue("max_output_tokens")).put("model", model).put("output", output)
        .put("parallel_tool_calls", body.getBoolean("parallel_tool_calls", true))
        .put("previous_response_id", null)
        .put("reasoning", new JsonObject().put("effort", null).put("summary", null)).put("store", false)
        .put("temperature", body.getValue("temperature", 1.0))
        .put("text", body.getValue("text") instanceof JsonObject text ? text
            : new JsonObject().put("format", new JsonObject().put("type", "text")))
        .put("tool_choice", body.getValue("tool_choice", "auto"))
        .put("tools", body.getValue("tools") instanceof JsonArray tools ? tools : new JsonArray())
        .put("top_p", body.getValue("top_p", 1.0)).put("truncation", "disabled")
        .put("usage", usage == null ? null : usage(usage)).put("user", body.getValue("user"))
        .put("metadata", body.getValue("metadata") instanceof JsonObject metadata ? metadata : new JsonObject());
    return response;
  }

  private static JsonObject usage(Usage usage) {
    return new JsonObject().put("input_tokens", usage.promptTokens())
        .put("input_tokens_details", new JsonObject().put("cached_tokens", 0))
        .put("output_tokens", usage.completionTokens())
        .put("output_tokens_details", new JsonObject().put("reasoning_tokens", 0))
        .put("total_tokens", usage.promptTokens() + usage.completionTokens());
  }
}

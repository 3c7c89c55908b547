package ai.poncho.chat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One message of a conversation. Content is either plain {@code text} or a list of {@code parts};
 * an assistant message that only calls tools has neither.
 */
public record ChatMessage(String role, String text, List<ContentPart> parts, String name,
                          List<ToolCall> toolCalls, String toolCallId) {

  public static final String SYSTEM = "system";
  public static final String DEVELOPER = "developer";
  public static final String USER = "user";
  public static final String ASSISTANT = "assistant";
  public static final String TOOL = "tool";

  public ChatMessage {
    parts = parts == null ? null : List.copyOf(parts);
    toolCalls = toolCalls == null || toolCalls.isEmpty() ? null : List.copyOf(toolCalls);
  }

  public static ChatMessage of(String role, String text) {
    return new ChatMessage(role, text, null, null, null, null);
  }

  public boolean hasImages() {
    return parts != null && parts.stream().anyMatch(ContentPart::isImage);
  }

  public boolean hasAudio() {
    return parts != null && parts.stream().anyMatch(ContentPart::isAudio);
  }

  /** All text of the message, parts joined; used for token estimates and the mock model. */
  public String textContent() {
    if (text != null) {
      return text;
    }
    if (parts == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    for (ContentPart part : parts) {
      if (part.text() != null) {
        if (!sb.isEmpty()) {
          sb.append('\n');
        }
        sb.append(part.text());
      }
    }
    return sb.toString();
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("role", role);
    if (parts != null) {
      JsonArray array = new JsonArray();
      parts.forEach(part -> array.add(part.toJson()));
      json.put("content", array);
    } else {
      json.put("content", text);
    }
    if (name != null) {
      json.put("name", name);
    }
    if (toolCalls != null) {
      JsonArray calls = new JsonArray();
      toolCalls.forEach(call -> calls.add(call.toJson()));
      json.put("tool_calls", calls);
    }
    if (toolCallId != null) {
      json.put("tool_call_id", toolCallId);
    }
    return json;
  }
}

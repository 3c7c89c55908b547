package ai.poncho.prompt;

import ai.poncho.chat.ChatMessage;
import ai.poncho.chat.ContentPart;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A rendered message in Dotprompt's shape (roles user, model, system; parts). History messages that came
 * in OpenAI form keep their original, so they go out exactly as they came (tool calls included).
 */
record PromptMessage(String role, List<PromptPart> content, JsonObject metadata, ChatMessage original) {

  static final String MODEL = "model";
  static final String HISTORY = "history";

  PromptMessage {
    content = List.copyOf(content);
  }

  PromptMessage asHistory() {
    JsonObject marked = metadata == null ? new JsonObject() : metadata.copy();
    return new PromptMessage(role, content, marked.put("purpose", HISTORY), original);
  }

  boolean isHistory() {
    return metadata != null && HISTORY.equals(metadata.getValue("purpose"));
  }

  JsonObject toJson() {
    JsonArray parts = new JsonArray();
    content.forEach(part -> parts.add(part.toJson()));
    JsonObject json = new JsonObject().put("role", role).put("content", parts);
    if (metadata != null) {
      json.put("metadata", metadata.copy());
    }
    return json;
  }

  static PromptMessage fromJson(JsonObject json) {
    List<PromptPart> parts = new ArrayList<>();
    JsonArray content = json.getJsonArray("content", new JsonArray());
    for (int i = 0; i < content.size(); i++) {
      parts.add(PromptPart.fromJson(content.getJsonObject(i)));
    }
    return new PromptMessage(json.getString("role"), parts, json.getJsonObject("metadata"), null);
  }

  /** An OpenAI message as Dotprompt history ({@code assistant} is Dotprompt's {@code model}). */
  static PromptMessage fromChat(ChatMessage message) {
    List<PromptPart> parts = new ArrayList<>();
    if (message.parts() != null) {
      for (ContentPart part : message.parts()) {
        parts.add(part.isImage() ? PromptPart.media(part.imageUrl(), null) : PromptPart.text(part.text()));
      }
    } else if (message.text() != null) {
      parts.add(PromptPart.text(message.text()));
    }
    String role = ChatMessage.ASSISTANT.equals(message.role()) ? MODEL : message.role();
    return new PromptMessage(role, parts, null, message);
  }

  /**
   * The OpenAI message to send: {@code model} becomes {@code assistant}, section markers are dropped, an
   * all-text message becomes one string and media become {@code image_url} parts. Null when nothing is left.
   */
  ChatMessage toChat() {
    if (original != null) {
      return original;
    }
    String chatRole = MODEL.equals(role) ? ChatMessage.ASSISTANT : role;
    List<ContentPart> parts = new ArrayList<>();
    boolean media = false;
    for (PromptPart part : content) {
      if (part.text() != null) {
        parts.add(ContentPart.text(part.text()));
      } else if (part.isMedia()) {
        parts.add(ContentPart.image(part.mediaUrl(), null));
        media = true;
      }
    }
    if (parts.isEmpty()) {
      return null;
    }
    if (!media) {
      StringBuilder text = new StringBuilder();
      parts.forEach(part -> text.append(part.text()));
      return ChatMessage.of(chatRole, text.toString());
    }
    return new ChatMessage(chatRole, null, parts, null, null, null);
  }
}

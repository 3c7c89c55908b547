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
        if (part.isImage()) {
          parts.add(PromptPart.media(part.imageUrl(), null));
        } else if (part.isAudio()) {
          parts.add(PromptPart.media("data:audio/" + part.audioFormat() + ";base64," + part.audioData(),
              "audio/" + part.audioFormat()));
        } else {
          parts.add(PromptPart.text(part.text()));
        }
      }
    } else if (message.text() != null) {
      parts.add(PromptPart.text(message.text()));
    }
    String role = ChatMessage.ASSISTANT.equals(message.role()) ? MODEL : message.role();
    return new PromptMessage(role, parts, null, message);
  }

  /**
   * The OpenAI message to send: {@code model} becomes {@code assistant}, section markers are dropped, an
   * all-text message becomes one string and media become parts as {@link MediaParts} says (a 400 naming
   * the part when it cannot be sent). Null when nothing is left.
   */
  ChatMessage toChat(int index) {
    if (original != null) {
      return original;
    }
    String chatRole = MODEL.equals(role) ? ChatMessage.ASSISTANT : role;
    List<ContentPart> parts = new ArrayList<>();
    boolean media = false;
    for (int i = 0; i < content.size(); i++) {
      PromptPart part = content.get(i);
      if (part.text() != null) {
        parts.add(ContentPart.text(part.text()));
      } else if (part.isMedia()) {
        parts.add(chatMedia(part, index, i));
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

  /** The message as the render API shows it: OpenAI form, media parts with their {@code content_type}. */
  JsonObject toRenderJson() {
    if (original != null) {
      return original.toJson();
    }
    JsonArray parts = new JsonArray();
    boolean media = false;
    StringBuilder text = new StringBuilder();
    for (PromptPart part : content) {
      if (part.text() != null) {
        parts.add(ContentPart.text(part.text()).toJson());
        text.append(part.text());
      } else if (part.isMedia()) {
        parts.add(MediaParts.toRenderJson(part));
        media = true;
      }
    }
    return new JsonObject().put("role", MODEL.equals(role) ? ChatMessage.ASSISTANT : role)
        .put("content", media ? parts : text.toString());
  }

  /** True when the message has something to send (text or media, not only section markers). */
  boolean hasContent() {
    return original != null || content.stream().anyMatch(part -> part.text() != null || part.isMedia());
  }

  private static ContentPart chatMedia(PromptPart part, int message, int index) {
    try {
      return MediaParts.toChat(part);
    } catch (MediaParts.Refusal refusal) {
      String type = MediaParts.contentType(part);
      String url = part.mediaUrl().length() > 100 ? part.mediaUrl().substring(0, 100) + "…" : part.mediaUrl();
      throw PromptException.invalid("unsupported_media", "messages[" + message + "].content[" + index + "]",
          "The rendered media part messages[" + message + "].content[" + index + "] (" + (type == null ? "untyped"
              : type) + ", " + url + ") cannot be sent: " + refusal.getMessage() + ".");
    }
  }
}

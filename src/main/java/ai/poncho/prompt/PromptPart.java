package ai.poncho.prompt;

import io.vertx.core.json.JsonObject;

/** One part of a rendered message, in Dotprompt's shape: text, media, or a pending section marker. */
record PromptPart(String text, String mediaUrl, String contentType, JsonObject metadata) {

  static PromptPart text(String text) {
    return new PromptPart(text, null, null, null);
  }

  static PromptPart media(String url, String contentType) {
    return new PromptPart(null, url, contentType, null);
  }

  static PromptPart section(String purpose) {
    return new PromptPart(null, null, null, new JsonObject().put("purpose", purpose).put("pending", true));
  }

  boolean isMedia() {
    return mediaUrl != null;
  }

  JsonObject toJson() {
    if (text != null) {
      return new JsonObject().put("text", text);
    }
    if (mediaUrl != null) {
      JsonObject media = new JsonObject().put("url", mediaUrl);
      if (contentType != null) {
        media.put("contentType", contentType);
      }
      return new JsonObject().put("media", media);
    }
    return new JsonObject().put("metadata", metadata.copy());
  }

  static PromptPart fromJson(JsonObject json) {
    if (json.getValue("media") instanceof JsonObject media) {
      return media(media.getString("url"), media.getString("contentType"));
    }
    if (json.getValue("text") instanceof String text) {
      return text(text);
    }
    return new PromptPart(null, null, null, json.getJsonObject("metadata", new JsonObject()));
  }
}

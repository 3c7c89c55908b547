package ai.poncho.chat;

import io.vertx.core.json.JsonObject;

/**
 * One part of array-form message content: {@code text}, {@code image_url}, or {@code input_audio}
 * (base64 {@code audioData} in {@code audioFormat}, {@code wav} or {@code mp3}, as OpenAI takes it).
 */
public record ContentPart(String type, String text, String imageUrl, String detail, String audioData,
                          String audioFormat) {

  public static final String TEXT = "text";
  public static final String IMAGE_URL = "image_url";
  public static final String INPUT_AUDIO = "input_audio";

  public static ContentPart text(String text) {
    return new ContentPart(TEXT, text, null, null, null, null);
  }

  public static ContentPart image(String url, String detail) {
    return new ContentPart(IMAGE_URL, null, url, detail, null, null);
  }

  public static ContentPart audio(String base64, String format) {
    return new ContentPart(INPUT_AUDIO, null, null, null, base64, format);
  }

  public boolean isImage() {
    return IMAGE_URL.equals(type);
  }

  public boolean isAudio() {
    return INPUT_AUDIO.equals(type);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("type", type);
    if (isImage()) {
      JsonObject image = new JsonObject().put("url", imageUrl);
      if (detail != null) {
        image.put("detail", detail);
      }
      json.put("image_url", image);
    } else if (isAudio()) {
      json.put("input_audio", new JsonObject().put("data", audioData).put("format", audioFormat));
    } else {
      json.put("text", text);
    }
    return json;
  }
}

package ai.poncho.chat;

import io.vertx.core.json.JsonObject;

/** One part of array-form message content: {@code text} or {@code image_url}. */
public record ContentPart(String type, String text, String imageUrl, String detail) {

  public static final String TEXT = "text";
  public static final String IMAGE_URL = "image_url";

  public static ContentPart text(String text) {
    return new ContentPart(TEXT, text, null, null);
  }

  public static ContentPart image(String url, String detail) {
    return new ContentPart(IMAGE_URL, null, url, detail);
  }

  public boolean isImage() {
    return IMAGE_URL.equals(type);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("type", type);
    if (isImage()) {
      JsonObject image = new JsonObject().put("url", imageUrl);
      if (detail != null) {
        image.put("detail", detail);
      }
      json.put("image_url", image);
    } else {
      json.put("text", text);
    }
    return json;
  }
}

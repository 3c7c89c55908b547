package ai.poncho.prompt;

import ai.poncho.chat.ContentPart;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Map;

/**
 * What a rendered media part becomes on the wire. Its content type is the declared {@code contentType},
 * else the type of a {@code data:} URL, else a well-known file extension; an untyped URL is an image, as in
 * Dotprompt. Images go as {@code image_url}; audio as OpenAI {@code input_audio}, which only takes base64
 * wav or mp3, so it must come as a {@code data:} URL. Nothing else (video, documents, …) has a part type
 * every provider shares, so such parts are refused instead of being sent as something they are not.
 */
final class MediaParts {

  private static final Map<String, String> EXTENSIONS = Map.ofEntries(
      Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"),
      Map.entry("gif", "image/gif"), Map.entry("webp", "image/webp"), Map.entry("mp3", "audio/mpeg"),
      Map.entry("wav", "audio/wav"), Map.entry("ogg", "audio/ogg"), Map.entry("flac", "audio/flac"),
      Map.entry("m4a", "audio/mp4"), Map.entry("mp4", "video/mp4"), Map.entry("webm", "video/webm"),
      Map.entry("mov", "video/quicktime"), Map.entry("pdf", "application/pdf"));
  private static final Map<String, String> AUDIO_FORMATS = Map.of("audio/wav", "wav", "audio/x-wav", "wav",
      "audio/wave", "wav", "audio/vnd.wave", "wav", "audio/mpeg", "mp3", "audio/mp3", "mp3");

  private MediaParts() {
  }

  /** The part's content type: declared, from its data URL, or from its extension; null when unknown. */
  static String contentType(PromptPart part) {
    if (part.contentType() != null) {
      return part.contentType().toLowerCase(Locale.ROOT);
    }
    String url = part.mediaUrl();
    if (url.regionMatches(true, 0, "data:", 0, 5)) {
      int end = url.indexOf(',');
      String mime = url.substring(5, end < 0 ? url.length() : end).split(";", 2)[0].trim();
      return mime.isEmpty() ? null : mime.toLowerCase(Locale.ROOT);
    }
    String path = url.replaceFirst("[?#].*$", "");
    int dot = path.lastIndexOf('.');
    return dot < 0 || path.indexOf('/', dot) >= 0 ? null
        : EXTENSIONS.get(path.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  /** The chat part to send, or a {@link Refusal} saying why this media cannot be sent. */
  static ContentPart toChat(PromptPart part) {
    String type = contentType(part);
    if (type == null || type.startsWith("image/")) {
      return ContentPart.image(part.mediaUrl(), null);
    }
    if (type.startsWith("audio/")) {
      String format = AUDIO_FORMATS.get(type);
      if (format == null) {
        throw new Refusal("audio goes as OpenAI input_audio, which takes wav or mp3 only (audio/wav, audio/mpeg)");
      }
      String data = base64Data(part.mediaUrl());
      if (data == null) {
        throw new Refusal("audio must be a base64 data: URL (data:" + type + ";base64,…), because input_audio "
            + "carries the sound itself, not a link");
      }
      return ContentPart.audio(data, format);
    }
    throw new Refusal("no supported provider format takes " + type
        + " parts; images (image/*) and audio (wav or mp3 data: URLs) can be sent");
  }

  /** The part as the render API shows it: the wire part (or a {@code media} part), plus its content type. */
  static JsonObject toRenderJson(PromptPart part) {
    String type = contentType(part);
    JsonObject json;
    try {
      json = toChat(part).toJson();
    } catch (Refusal refusal) {
      JsonObject media = new JsonObject().put("url", part.mediaUrl());
      if (part.contentType() != null) {
        media.put("contentType", part.contentType());
      }
      json = new JsonObject().put("type", "media").put("media", media).put("unsupported", refusal.getMessage());
    }
    if (type != null) {
      json.put("content_type", type);
    }
    return json;
  }

  private static String base64Data(String url) {
    if (!url.regionMatches(true, 0, "data:", 0, 5)) {
      return null;
    }
    int comma = url.indexOf(',');
    if (comma < 0 || !url.substring(0, comma).toLowerCase(Locale.ROOT).endsWith(";base64")) {
      return null;
    }
    return url.substring(comma + 1);
  }

  /** Why a media part cannot be sent; the renderer turns it into a 400 naming the part. */
  static final class Refusal extends RuntimeException {
    Refusal(String reason) {
      super(reason, null, false, false);
    }
  }
}

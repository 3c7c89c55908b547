package ai.poncho.ws;

import ai.poncho.bus.Addresses;
import ai.poncho.bus.PromptExecution;
import ai.poncho.cache.CacheControl;
import ai.poncho.chat.ChatJson;
import ai.poncho.chat.ChatRequest;
import ai.poncho.error.GatewayException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Reads and validates client text messages: {@code chat}, {@code prompt}, {@code cancel}, {@code ping}. */
final class ClientFrames {

  /** Ids are echoed in every frame of their generation; a bound keeps a client from inflating them. */
  static final int MAX_ID_LENGTH = 256;

  private ClientFrames() {
  }

  /** The frame, or a {@link FrameError} saying what is wrong with it. */
  static ClientFrame parse(String text) {
    JsonObject json;
    try {
      Object value = Json.decodeValue(text);
      if (!(value instanceof JsonObject object)) {
        throw FrameError.malformed(null, "invalid_frame", null, "A frame must be a JSON object.");
      }
      json = object;
    } catch (DecodeException e) {
      throw FrameError.malformed(null, "invalid_json", null, "The frame is not valid JSON.");
    }
    Object type = json.getValue("type");
    if (!(type instanceof String name)) {
      throw FrameError.malformed(optionalId(json), "invalid_frame", "type", "The frame has no 'type' string.");
    }
    return switch (name) {
      case "chat" -> chat(json);
      case "prompt" -> prompt(json);
      case "cancel" -> new ClientFrame.Cancel(id(json));
      case "ping" -> new ClientFrame.Ping();
      default -> throw FrameError.malformed(optionalId(json), "unknown_frame_type", "type",
          "Unknown frame type '" + name + "': expected chat, prompt, cancel or ping.");
    };
  }

  private static ClientFrame chat(JsonObject json) {
    String id = id(json);
    Object request = json.getValue("request");
    if (!(request instanceof JsonObject body)) {
      throw FrameError.malformed(id, "invalid_frame", "request", "A chat frame needs a 'request' object.");
    }
    // The socket always streams, so the request is streamed whatever it says.
    ChatRequest chat = validated(id, () -> ChatJson.request(body.copy().put("stream", true)));
    String address = PromptExecution.isPrompt(chat.model()) ? Addresses.PROMPT_STREAM : Addresses.DISPATCH_STREAM;
    return new ClientFrame.Generate(id, address, chat, cache(id, json));
  }

  private static ClientFrame prompt(JsonObject json) {
    String id = id(json);
    Object name = json.getValue("name");
    if (!(name instanceof String promptName) || promptName.isBlank()) {
      throw FrameError.malformed(id, "invalid_frame", "name", "A prompt frame needs a 'name' string.");
    }
    Object input = json.getValue("input");
    if (input != null && !(input instanceof JsonObject)) {
      throw FrameError.malformed(id, "invalid_frame", "input", "'input' must be an object.");
    }
    Object model = json.getValue("model");
    if (model != null && !(model instanceof String)) {
      throw FrameError.malformed(id, "invalid_frame", "model", "'model' must be a string.");
    }
    ChatRequest request = PromptExecution.request(promptName, (JsonObject) input, null, null, (String) model,
        List.of(), true, true, Map.of());
    return new ClientFrame.Generate(id, Addresses.PROMPT_STREAM, request, cache(id, json));
  }

  /**
   * The optional {@code "cache": {"no_cache": true, "no_store": true, "ttl": 600}} of a generation frame:
   * skip the lookup, do not store, keep the answer this many seconds.
   */
  private static CacheControl cache(String id, JsonObject json) {
    Object value = json.getValue("cache");
    if (value == null) {
      return CacheControl.DEFAULT;
    }
    if (!(value instanceof JsonObject cache)) {
      throw FrameError.malformed(id, "invalid_frame", "cache", "'cache' must be an object.");
    }
    for (String field : cache.fieldNames()) {
      if (!List.of("no_cache", "no_store", "ttl").contains(field)) {
        throw FrameError.malformed(id, "invalid_frame", "cache." + field,
            "Unknown 'cache' field '" + field + "': expected no_cache, no_store or ttl.");
      }
    }
    boolean noCache = flag(id, cache, "no_cache");
    boolean noStore = flag(id, cache, "no_store");
    Object ttl = cache.getValue("ttl");
    Duration keep = null;
    if (ttl != null) {
      long seconds = ttl instanceof Integer || ttl instanceof Long ? ((Number) ttl).longValue() : -1;
      if (seconds < 0 || seconds > CacheControl.MAX_TTL_SECONDS) {
        throw FrameError.malformed(id, "invalid_frame", "cache.ttl",
            "'cache.ttl' must be a whole number of seconds between 0 and " + CacheControl.MAX_TTL_SECONDS + ".");
      }
      keep = Duration.ofSeconds(seconds);
    }
    return CacheControl.of(noCache, noStore, keep);
  }

  private static boolean flag(String id, JsonObject cache, String field) {
    Object value = cache.getValue(field);
    if (value != null && !(value instanceof Boolean)) {
      throw FrameError.malformed(id, "invalid_frame", "cache." + field, "'cache." + field + "' must be a boolean.");
    }
    return Boolean.TRUE.equals(value);
  }

  private static ChatRequest validated(String id, Supplier<ChatRequest> read) {
    try {
      return read.get();
    } catch (GatewayException e) {
      throw new FrameError(id, e.error(), false);
    }
  }

  private static String id(JsonObject json) {
    Object id = json.getValue("id");
    if (!(id instanceof String s) || s.isEmpty()) {
      throw FrameError.malformed(null, "invalid_frame", "id", "The frame needs a non-empty 'id' string.");
    }
    if (s.length() > MAX_ID_LENGTH) {
      throw FrameError.malformed(null, "invalid_frame", "id",
          "The 'id' is longer than " + MAX_ID_LENGTH + " characters.");
    }
    return s;
  }

  private static String optionalId(JsonObject json) {
    return json.getValue("id") instanceof String s && !s.isEmpty() && s.length() <= MAX_ID_LENGTH ? s : null;
  }
}

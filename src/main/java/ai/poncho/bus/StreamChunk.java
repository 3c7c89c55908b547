package ai.poncho.bus;

import ai.poncho.chat.ChatChunk;
import io.vertx.core.json.JsonObject;

/** One chunk of stream {@code streamId}. */
public record StreamChunk(String streamId, ChatChunk chunk) implements StreamEvent {

  public JsonObject toJson() {
    return new JsonObject().put("stream_id", streamId).put("chunk", chunk.toJson(true));
  }

  public static StreamChunk fromJson(JsonObject json) {
    return new StreamChunk(json.getString("stream_id"), ChatChunk.fromJson(json.getJsonObject("chunk")));
  }
}

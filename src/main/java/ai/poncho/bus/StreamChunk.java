package ai.poncho.bus;

import ai.poncho.chat.ChatChunk;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Chunks of stream {@code streamId} in order: those that came from one upstream read travel as one
 * message, so a stream costs a bus message (and a socket write) per network read, not per SSE event.
 */
public record StreamChunk(String streamId, List<ChatChunk> chunks) implements StreamEvent {

  public StreamChunk {
    chunks = List.copyOf(chunks);
  }

  public StreamChunk(String streamId, ChatChunk chunk) {
    this(streamId, List.of(chunk));
  }

  public JsonObject toJson() {
    JsonArray array = new JsonArray(new ArrayList<>(chunks.size()));
    chunks.forEach(chunk -> array.add(chunk.toJson(true)));
    return new JsonObject().put("stream_id", streamId).put("chunks", array);
  }

  public static StreamChunk fromJson(JsonObject json) {
    JsonArray array = json.getJsonArray("chunks");
    List<ChatChunk> chunks = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      chunks.add(ChatChunk.fromJson(array.getJsonObject(i)));
    }
    return new StreamChunk(json.getString("stream_id"), chunks);
  }
}

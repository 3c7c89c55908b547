package ai.poncho.ws;

import ai.poncho.bus.StreamEnd;
import ai.poncho.chat.ChatChunk;
import ai.poncho.error.GatewayError;
import io.vertx.core.json.JsonObject;

/** The frames the server sends: {@code chunk}, {@code done}, {@code error}, {@code pong}. */
final class ServerFrames {

  static final String PONG = new JsonObject().put("type", "pong").encode();

  private ServerFrames() {
  }

  /** The delta of a chunk, or null for chunks that carry nothing for the client (usage, bare finish). */
  static String chunk(String id, ChatChunk chunk) {
    for (ChatChunk.Choice choice : chunk.choices()) {
      JsonObject delta = choice.delta().toJson();
      if (!delta.isEmpty()) {
        return new JsonObject().put("type", "chunk").put("id", id).put("delta", delta).encode();
      }
    }
    return null;
  }

  /** The last frame of a completed generation, with its cost in USD ({@code cost_usd}, an exact decimal string) when metered. */
  static String done(String id, StreamEnd end) {
    String frame = done(id, end.finishReason(), end.usage() == null ? null : end.usage().toJson(), end.model());
    return end.costUsd() == null ? frame
        : new JsonObject(frame).put("cost_usd", end.costUsd()).encode();
  }

  static String done(String id, String finishReason, JsonObject usage, String model) {
    return new JsonObject().put("type", "done").put("id", id).put("finish_reason", finishReason)
        .put("usage", usage).put("model", model).encode();
  }

  static String error(String id, GatewayError error) {
    JsonObject frame = new JsonObject().put("type", "error");
    if (id != null) {
      frame.put("id", id);
    }
    return frame.put("error", error.toResponseJson().getJsonObject("error")).encode();
  }
}

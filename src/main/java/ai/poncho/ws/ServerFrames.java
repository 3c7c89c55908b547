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

  /**
   * The {@code done} frame, with the generation's cost in USD ({@code cost_usd}, an exact decimal string)
   * when metered and the response cache's verdict ({@code cache}: hit, miss, bypass) when known; a
   * JSON-output prompt's frame also carries {@code output_status} and {@code output}.
   */
  static String done(String id, StreamEnd end, String cache, JsonObject output) {
    JsonObject frame = doneFrame(id, end.finishReason(), end.usage() == null ? null : end.usage().toJson(),
        end.model());
    if (end.costUsd() != null) {
      frame.put("cost_usd", end.costUsd());
    }
    if (cache != null) {
      frame.put("cache", cache);
    }
    return (output == null ? frame : frame.mergeIn(output)).encode();
  }

  static String done(String id, String finishReason, JsonObject usage, String model) {
    return doneFrame(id, finishReason, usage, model).encode();
  }

  private static JsonObject doneFrame(String id, String finishReason, JsonObject usage, String model) {
    return new JsonObject().put("type", "done").put("id", id).put("finish_reason", finishReason)
        .put("usage", usage).put("model", model);
  }

  static String error(String id, GatewayError error) {
    JsonObject frame = new JsonObject().put("type", "error");
    if (id != null) {
      frame.put("id", id);
    }
    return frame.put("error", error.toResponseJson().getJsonObject("error")).encode();
  }
}

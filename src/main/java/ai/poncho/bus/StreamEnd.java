package ai.poncho.bus;

import ai.poncho.chat.Usage;
import io.vertx.core.json.JsonObject;

/** Last event of a stream that completed; {@code costUsd} is what it cost (null when not metered). */
public record StreamEnd(String streamId, String finishReason, Usage usage, String model, String costUsd)
    implements StreamEvent {

  public StreamEnd(String streamId, String finishReason, Usage usage, String model) {
    this(streamId, finishReason, usage, model, null);
  }

  public JsonObject toJson() {
    return new JsonObject().put("stream_id", streamId).put("finish_reason", finishReason)
        .put("usage", usage == null ? null : usage.toJson()).put("model", model).put("cost_usd", costUsd);
  }

  public static StreamEnd fromJson(JsonObject json) {
    return new StreamEnd(json.getString("stream_id"), json.getString("finish_reason"),
        Usage.fromJson(json.getJsonObject("usage")), json.getString("model"), json.getString("cost_usd"));
  }
}

package ai.poncho.bus;

import ai.poncho.error.GatewayError;
import io.vertx.core.json.JsonObject;

/** Last event of a stream that failed after it started. */
public record StreamFailure(String streamId, GatewayError error) implements StreamEvent {

  public JsonObject toJson() {
    return new JsonObject().put("stream_id", streamId).put("error", error.toJson());
  }

  public static StreamFailure fromJson(JsonObject json) {
    return new StreamFailure(json.getString("stream_id"), GatewayError.fromJson(json.getJsonObject("error")));
  }
}

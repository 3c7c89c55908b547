package ai.poncho.bus;

import io.vertx.core.json.JsonObject;

/** Consumer → producer for stream {@code streamId}: grant {@code credits} more chunks, or cancel. */
public record StreamControl(String streamId, int credits, boolean cancel) {

  public static StreamControl credit(String streamId, int credits) {
    return new StreamControl(streamId, credits, false);
  }

  public static StreamControl cancel(String streamId) {
    return new StreamControl(streamId, 0, true);
  }

  public JsonObject toJson() {
    return new JsonObject().put("stream_id", streamId).put("credits", credits).put("cancel", cancel);
  }

  public static StreamControl fromJson(JsonObject json) {
    return new StreamControl(json.getString("stream_id"), json.getInteger("credits", 0),
        json.getBoolean("cancel", false));
  }
}

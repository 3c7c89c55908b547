package ai.poncho.bus;

import io.vertx.core.json.JsonObject;

/** Reply to {@link StreamOpen}: where to send credit and cancel, and which model serves the stream. */
public record StreamStarted(String controlAddress, String model) {

  public JsonObject toJson() {
    return new JsonObject().put("control", controlAddress).put("model", model);
  }

  public static StreamStarted fromJson(JsonObject json) {
    return new StreamStarted(json.getString("control"), json.getString("model"));
  }
}

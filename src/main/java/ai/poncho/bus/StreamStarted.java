package ai.poncho.bus;

import io.vertx.core.json.JsonObject;

/**
 * Reply to {@link StreamOpen}: where to send credit and cancel, which model serves the stream, and the
 * cluster node producing it (null off a cluster), whose loss ends the stream with an error at once.
 */
public record StreamStarted(String controlAddress, String model, String node) {

  public StreamStarted(String controlAddress, String model) {
    this(controlAddress, model, null);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("control", controlAddress).put("model", model);
    return node == null ? json : json.put("node", node);
  }

  public static StreamStarted fromJson(JsonObject json) {
    return new StreamStarted(json.getString("control"), json.getString("model"), json.getString("node"));
  }
}

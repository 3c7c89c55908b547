package ai.poncho.bus;

import io.vertx.core.json.JsonObject;

/**
 * Reply to {@link StreamOpen}: where to send credit and cancel, which model serves the stream, for a
 * prompt with {@code output.format: json} the output check the caller runs on the streamed text
 * ({@code {"schema": …}}; null otherwise), and the cluster node producing it (null off a cluster),
 * whose loss ends the stream with an error at once.
 */
public record StreamStarted(String controlAddress, String model, JsonObject output, String node) {

  public StreamStarted(String controlAddress, String model) {
    this(controlAddress, model, null, null);
  }

  public StreamStarted withOutput(JsonObject check) {
    return new StreamStarted(controlAddress, model, check, node);
  }

  public StreamStarted withNode(String producerNode) {
    return new StreamStarted(controlAddress, model, output, producerNode);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("control", controlAddress).put("model", model);
    if (output != null) {
      json.put("output", output);
    }
    return node == null ? json : json.put("node", node);
  }

  public static StreamStarted fromJson(JsonObject json) {
    return new StreamStarted(json.getString("control"), json.getString("model"), json.getJsonObject("output"),
        json.getString("node"));
  }
}

package ai.poncho.bus;

import io.vertx.core.json.JsonObject;

/**
 * Reply to {@link StreamOpen}: where to send credit and cancel, which model serves the stream, and for a
 * prompt with {@code output.format: json} the output check the caller runs on the streamed text
 * ({@code {"schema": …}}; null otherwise).
 */
public record StreamStarted(String controlAddress, String model, JsonObject output) {

  public StreamStarted(String controlAddress, String model) {
    this(controlAddress, model, null);
  }

  public StreamStarted withOutput(JsonObject check) {
    return new StreamStarted(controlAddress, model, check);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("control", controlAddress).put("model", model);
    return output == null ? json : json.put("output", output);
  }

  public static StreamStarted fromJson(JsonObject json) {
    return new StreamStarted(json.getString("control"), json.getString("model"), json.getJsonObject("output"));
  }
}

package ai.poncho.bus;

import io.vertx.core.json.JsonObject;

/**
 * Reply to {@link StreamOpen}: where to send credit and cancel, which model serves the stream, for a
 * prompt with {@code output.format: json} the output check the caller runs on the streamed text
 * ({@code {"schema": …}}; null otherwise), and what the response cache did ({@code hit}, {@code miss},
 * {@code bypass}; null where no cache ran).
 */
public record StreamStarted(String controlAddress, String model, JsonObject output, String cache) {

  public StreamStarted(String controlAddress, String model) {
    this(controlAddress, model, null, null);
  }

  public StreamStarted(String controlAddress, String model, JsonObject output) {
    this(controlAddress, model, output, null);
  }

  public StreamStarted withOutput(JsonObject check) {
    return new StreamStarted(controlAddress, model, check, cache);
  }

  public StreamStarted withCache(String newCache) {
    return new StreamStarted(controlAddress, model, output, newCache);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("control", controlAddress).put("model", model).put("cache", cache);
    return output == null ? json : json.put("output", output);
  }

  public static StreamStarted fromJson(JsonObject json) {
    return new StreamStarted(json.getString("control"), json.getString("model"), json.getJsonObject("output"),
        json.getString("cache"));
  }
}

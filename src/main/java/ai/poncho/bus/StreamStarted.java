package ai.poncho.bus;

import io.vertx.core.json.JsonObject;

/**
 * Reply to {@link StreamOpen}: where to send credit and cancel, which model serves the stream, and what the
 * response cache did ({@code hit}, {@code miss}, {@code bypass}; null where no cache ran).
 */
public record StreamStarted(String controlAddress, String model, String cache) {

  public StreamStarted(String controlAddress, String model) {
    this(controlAddress, model, null);
  }

  public StreamStarted withCache(String newCache) {
    return new StreamStarted(controlAddress, model, newCache);
  }

  public JsonObject toJson() {
    return new JsonObject().put("control", controlAddress).put("model", model).put("cache", cache);
  }

  public static StreamStarted fromJson(JsonObject json) {
    return new StreamStarted(json.getString("control"), json.getString("model"), json.getString("cache"));
  }
}

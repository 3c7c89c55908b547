package ai.poncho.bus;

import ai.poncho.error.GatewayError;
import io.vertx.core.json.JsonObject;

/** Last event of a stream that failed after it started. */
public record StreamFailure(GatewayError error) {

  public JsonObject toJson() {
    return error.toJson();
  }

  public static StreamFailure fromJson(JsonObject json) {
    return new StreamFailure(GatewayError.fromJson(json));
  }
}

package ai.poncho.bus;

import ai.poncho.chat.ChatJson;
import ai.poncho.chat.ChatRequest;
import io.vertx.core.json.JsonObject;

/** A non-streamed completion to run. */
public record DispatchRequest(String requestId, ChatRequest request) {

  public JsonObject toJson() {
    return new JsonObject().put("request_id", requestId).put("request", request.toJson());
  }

  public static DispatchRequest fromJson(JsonObject json) {
    return new DispatchRequest(json.getString("request_id"), ChatJson.request(json.getJsonObject("request")));
  }
}

package ai.poncho.bus;

import ai.poncho.chat.ChatJson;
import ai.poncho.chat.ChatRequest;
import io.vertx.core.json.JsonObject;

/**
 * Opens a stream: the producer sends events to {@code sinkAddress} and may have at most {@code window}
 * chunks unacknowledged before it must wait for {@link StreamControl} credit.
 */
public record StreamOpen(String requestId, ChatRequest request, String sinkAddress, int window) {

  public JsonObject toJson() {
    return new JsonObject().put("request_id", requestId).put("request", request.toJson())
        .put("sink", sinkAddress).put("window", window);
  }

  public static StreamOpen fromJson(JsonObject json) {
    return new StreamOpen(json.getString("request_id"), ChatJson.request(json.getJsonObject("request")),
        json.getString("sink"), json.getInteger("window"));
  }
}

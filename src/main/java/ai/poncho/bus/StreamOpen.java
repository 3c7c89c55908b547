package ai.poncho.bus;

import ai.poncho.chat.ChatJson;
import ai.poncho.chat.ChatRequest;
import ai.poncho.security.Caller;
import io.vertx.core.json.JsonObject;

/**
 * Opens a stream: the producer sends events tagged {@code streamId} to {@code sinkAddress} and may
 * have at most {@code window} chunks unacknowledged before it must wait for {@link StreamControl}
 * credit. Whoever forwards the open (prompt execution) keeps sink and id, so chunks go straight to the
 * consumer.
 */
public record StreamOpen(String requestId, Caller caller, ChatRequest request, String sinkAddress, String streamId,
                         int window) {

  public StreamOpen withRequest(ChatRequest newRequest) {
    return new StreamOpen(requestId, caller, newRequest, sinkAddress, streamId, window);
  }

  public JsonObject toJson() {
    return new JsonObject().put("request_id", requestId).put("caller", caller.toJson())
        .put("request", request.toJson()).put("sink", sinkAddress).put("stream_id", streamId).put("window", window);
  }

  public static StreamOpen fromJson(JsonObject json) {
    return new StreamOpen(json.getString("request_id"), Caller.fromJson(json.getJsonObject("caller")),
        ChatJson.request(json.getJsonObject("request")), json.getString("sink"), json.getString("stream_id"), json.getInteger("window"));
  }
}

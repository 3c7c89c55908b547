package ai.poncho.bus;

import ai.poncho.chat.ChatJson;
import ai.poncho.chat.ChatRequest;
import ai.poncho.security.Caller;
import io.vertx.core.json.JsonObject;

/**
 * A non-streamed completion to run. {@code callId} is unique per call (request ids come from clients
 * and may repeat); publishing it to {@link Addresses#DISPATCH_CANCEL} stops the call. {@code caller} is who
 * the edge authenticated, for metering.
 */
public record DispatchRequest(String requestId, String callId, Caller caller, ChatRequest request) {

  /** The same call with another request (prompt execution forwards the rendered one). */
  public DispatchRequest withRequest(ChatRequest newRequest) {
    return new DispatchRequest(requestId, callId, caller, newRequest);
  }

  public JsonObject toJson() {
    return new JsonObject().put("request_id", requestId).put("call_id", callId)
        .put("caller", caller.toJson()).put("request", request.toJson());
  }

  public static DispatchRequest fromJson(JsonObject json) {
    return new DispatchRequest(json.getString("request_id"), json.getString("call_id"),
        Caller.fromJson(json.getJsonObject("caller")), ChatJson.request(json.getJsonObject("request")));
  }
}

package ai.poncho.bus;

import ai.poncho.chat.ChatJson;
import ai.poncho.chat.ChatRequest;
import ai.poncho.security.Caller;
import io.vertx.core.json.JsonObject;

/**
 * A non-streamed completion to run. {@code callId} is unique per call (request ids come from clients
 * and may repeat); publishing it to {@link Addresses#DISPATCH_CANCEL} stops the call. {@code caller} is who
 * the edge authenticated, for metering. When {@code watchAddress} is set (the caller is on a cluster)
 * the taker sends it an {@link Accepted}.
 */
public record DispatchRequest(String requestId, String callId, Caller caller, ChatRequest request,
                              String watchAddress) {

  public DispatchRequest(String requestId, String callId, Caller caller, ChatRequest request) {
    this(requestId, callId, caller, request, null);
  }

  /** The same call with another request (prompt execution forwards the rendered one). */
  public DispatchRequest withRequest(ChatRequest newRequest) {
    return new DispatchRequest(requestId, callId, caller, newRequest, watchAddress);
  }

  /** This call as attempt {@code id}, acknowledged to {@code watch}. */
  public DispatchRequest forAttempt(String id, String watch) {
    return new DispatchRequest(requestId, id, caller, request, watch);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("request_id", requestId).put("call_id", callId)
        .put("caller", caller.toJson()).put("request", request.toJson());
    return watchAddress == null ? json : json.put("watch", watchAddress);
  }

  public static DispatchRequest fromJson(JsonObject json) {
    return new DispatchRequest(json.getString("request_id"), json.getString("call_id"),
        Caller.fromJson(json.getJsonObject("caller")), ChatJson.canonical(json.getJsonObject("request")),
        json.getString("watch"));
  }
}

package ai.poncho.bus;

import ai.poncho.cache.CacheControl;
import ai.poncho.chat.ChatJson;
import ai.poncho.chat.ChatRequest;
import ai.poncho.security.Caller;
import io.vertx.core.json.JsonObject;

/**
 * A non-streamed completion to run. {@code callId} is unique per call (request ids come from clients
 * and may repeat); publishing it to {@link Addresses#DISPATCH_CANCEL} stops the call. {@code caller} is who
 * the edge authenticated, for metering and the cache namespace; {@code cache} the request's own cache
 * instructions.
 */
public record DispatchRequest(String requestId, String callId, Caller caller, ChatRequest request,
                              CacheControl cache) {

  public DispatchRequest {
    cache = cache == null ? CacheControl.DEFAULT : cache;
  }

  public DispatchRequest(String requestId, String callId, Caller caller, ChatRequest request) {
    this(requestId, callId, caller, request, CacheControl.DEFAULT);
  }

  /** The same call with another request (prompt execution forwards the rendered one). */
  public DispatchRequest withRequest(ChatRequest newRequest) {
    return new DispatchRequest(requestId, callId, caller, newRequest, cache);
  }

  public DispatchRequest withCache(CacheControl newCache) {
    return new DispatchRequest(requestId, callId, caller, request, newCache);
  }

  public JsonObject toJson() {
    return new JsonObject().put("request_id", requestId).put("call_id", callId)
        .put("caller", caller.toJson()).put("request", request.toJson()).put("cache", cache.toJson());
  }

  public static DispatchRequest fromJson(JsonObject json) {
    return new DispatchRequest(json.getString("request_id"), json.getString("call_id"),
        Caller.fromJson(json.getJsonObject("caller")), ChatJson.request(json.getJsonObject("request")),
        CacheControl.fromJson(json.getJsonObject("cache")));
  }
}

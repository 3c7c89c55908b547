package ai.poncho.bus;

import ai.poncho.cache.CacheControl;
import ai.poncho.embedding.EmbeddingRequest;
import ai.poncho.security.Caller;
import io.vertx.core.json.JsonObject;

/**
 * An embeddings call to run ({@link Addresses#DISPATCH_EMBED}). As for a {@link DispatchRequest},
 * {@code callId} is unique per call; publishing it to {@link Addresses#DISPATCH_CANCEL} stops the call.
 * {@code caller} is who the edge authenticated, for metering and the cache namespace; {@code cache} carries
 * the request's own cache instructions.
 */
public record EmbeddingDispatch(String requestId, String callId, Caller caller, EmbeddingRequest request,
                                CacheControl cache) {

  public EmbeddingDispatch {
    cache = cache == null ? CacheControl.DEFAULT : cache;
  }

  public JsonObject toJson() {
    return new JsonObject().put("request_id", requestId).put("call_id", callId).put("caller", caller.toJson())
        .put("request", request.toJson()).put("cache", cache.toJson());
  }

  public static EmbeddingDispatch fromJson(JsonObject json) {
    return new EmbeddingDispatch(json.getString("request_id"), json.getString("call_id"),
        Caller.fromJson(json.getJsonObject("caller")), EmbeddingRequest.fromJson(json.getJsonObject("request")),
        CacheControl.fromJson(json.getJsonObject("cache")));
  }
}

package ai.poncho.bus;

import ai.poncho.cache.CacheControl;
import ai.poncho.embedding.EmbeddingRequest;
import ai.poncho.security.Caller;
import io.vertx.core.json.JsonObject;

/**
 * An embeddings call to run ({@link Addresses#DISPATCH_EMBED}). As for a {@link DispatchRequest},
 * {@code callId} is unique per call; publishing it to {@link Addresses#DISPATCH_CANCEL} stops the call.
 * {@code caller} is who the edge authenticated, for metering and the cache namespace; {@code cache} carries
 * the request's own cache instructions. When {@code watchAddress} is set (the caller is on a cluster) the
 * taker sends it an {@link Accepted}.
 */
public record EmbeddingDispatch(String requestId, String callId, Caller caller, EmbeddingRequest request,
                                CacheControl cache, String watchAddress) {

  public EmbeddingDispatch {
    cache = cache == null ? CacheControl.DEFAULT : cache;
  }

  public EmbeddingDispatch(String requestId, String callId, Caller caller, EmbeddingRequest request,
                           CacheControl cache) {
    this(requestId, callId, caller, request, cache, null);
  }

  /** This call as attempt {@code id}, acknowledged to {@code watch}. */
  public EmbeddingDispatch forAttempt(String id, String watch) {
    return new EmbeddingDispatch(requestId, id, caller, request, cache, watch);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("request_id", requestId).put("call_id", callId)
        .put("caller", caller.toJson()).put("request", request.toJson()).put("cache", cache.toJson());
    return watchAddress == null ? json : json.put("watch", watchAddress);
  }

  public static EmbeddingDispatch fromJson(JsonObject json) {
    return new EmbeddingDispatch(json.getString("request_id"), json.getString("call_id"),
        Caller.fromJson(json.getJsonObject("caller")), EmbeddingRequest.fromJson(json.getJsonObject("request")),
        CacheControl.fromJson(json.getJsonObject("cache")), json.getString("watch"));
  }
}

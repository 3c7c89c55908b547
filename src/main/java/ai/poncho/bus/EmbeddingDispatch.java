package ai.poncho.bus;

import ai.poncho.embedding.EmbeddingRequest;
import ai.poncho.security.Caller;
import io.vertx.core.json.JsonObject;

/**
 * An embeddings call to run ({@link Addresses#DISPATCH_EMBED}). As for a {@link DispatchRequest},
 * {@code callId} is unique per call; publishing it to {@link Addresses#DISPATCH_CANCEL} stops the call.
 * {@code caller} is who the edge authenticated, for metering. When {@code watchAddress} is set (the caller
 * is on a cluster) the taker sends it an {@link Accepted}.
 */
public record EmbeddingDispatch(String requestId, String callId, Caller caller, EmbeddingRequest request,
                                String watchAddress) {

  public EmbeddingDispatch(String requestId, String callId, Caller caller, EmbeddingRequest request) {
    this(requestId, callId, caller, request, null);
  }

  /** This call as attempt {@code id}, acknowledged to {@code watch}. */
  public EmbeddingDispatch forAttempt(String id, String watch) {
    return new EmbeddingDispatch(requestId, id, caller, request, watch);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("request_id", requestId).put("call_id", callId)
        .put("caller", caller.toJson()).put("request", request.toJson());
    return watchAddress == null ? json : json.put("watch", watchAddress);
  }

  public static EmbeddingDispatch fromJson(JsonObject json) {
    return new EmbeddingDispatch(json.getString("request_id"), json.getString("call_id"),
        Caller.fromJson(json.getJsonObject("caller")), EmbeddingRequest.fromJson(json.getJsonObject("request")),
        json.getString("watch"));
  }
}

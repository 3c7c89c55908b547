package ai.poncho.bus;

import ai.poncho.embedding.EmbeddingRequest;
import io.vertx.core.json.JsonObject;

/**
 * An embeddings call to run ({@link Addresses#DISPATCH_EMBED}). As for a {@link DispatchRequest},
 * {@code callId} is unique per call; publishing it to {@link Addresses#DISPATCH_CANCEL} stops the call.
 */
public record EmbeddingDispatch(String requestId, String callId, EmbeddingRequest request) {

  public JsonObject toJson() {
    return new JsonObject().put("request_id", requestId).put("call_id", callId).put("request", request.toJson());
  }

  public static EmbeddingDispatch fromJson(JsonObject json) {
    return new EmbeddingDispatch(json.getString("request_id"), json.getString("call_id"),
        EmbeddingRequest.fromJson(json.getJsonObject("request")));
  }
}

package ai.poncho.bus;

import io.vertx.core.json.JsonObject;

/**
 * What one model call did, for metrics and metering. {@code status} is the HTTP status the client got;
 * {@code keyId} and {@code team} name the caller (null when the gateway is open).
 */
public record CompletionEvent(String model, String provider, int status, boolean stream, long durationNanos,
                              long firstTokenNanos, int promptTokens, int completionTokens, String finishReason,
                              String requestId, String keyId, String team) {

  public JsonObject toJson() {
    return new JsonObject().put("model", model).put("provider", provider).put("status", status)
        .put("stream", stream).put("duration_ns", durationNanos).put("first_token_ns", firstTokenNanos)
        .put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
        .put("finish_reason", finishReason).put("request_id", requestId).put("key_id", keyId).put("team", team);
  }

  public static CompletionEvent fromJson(JsonObject json) {
    return new CompletionEvent(json.getString("model"), json.getString("provider"), json.getInteger("status"),
        json.getBoolean("stream"), json.getLong("duration_ns"), json.getLong("first_token_ns"),
        json.getInteger("prompt_tokens"), json.getInteger("completion_tokens"), json.getString("finish_reason"),
        json.getString("request_id"), json.getString("key_id"), json.getString("team"));
  }
}

package ai.poncho.bus;

import io.vertx.core.json.JsonObject;

/**
 * What one model call did, for metrics and metering. {@code status} is the HTTP status the client got;
 * {@code keyId} and {@code team} name the caller (null when the gateway is open). {@code cachedTokens}
 * are the prompt tokens the provider served from its cache, {@code costPico} the call's cost in
 * pico-dollars (1e-12 USD, exact), {@code endedAtMillis} when the call ended (epoch ms).
 */
public record CompletionEvent(String model, String provider, int status, boolean stream, long durationNanos,
                              long firstTokenNanos, int promptTokens, int completionTokens, String finishReason,
                              String requestId, String keyId, String team, int cachedTokens, long costPico,
                              long endedAtMillis) {

  public CompletionEvent(String model, String provider, int status, boolean stream, long durationNanos,
                         long firstTokenNanos, int promptTokens, int completionTokens, String finishReason,
                         String requestId, String keyId, String team) {
    this(model, provider, status, stream, durationNanos, firstTokenNanos, promptTokens, completionTokens, finishReason,
        requestId, keyId, team, 0, 0, System.currentTimeMillis());
  }

  public JsonObject toJson() {
    return new JsonObject().put("model", model).put("provider", provider).put("status", status)
        .put("stream", stream).put("duration_ns", durationNanos).put("first_token_ns", firstTokenNanos)
        .put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
        .put("finish_reason", finishReason).put("request_id", requestId).put("key_id", keyId).put("team", team)
        .put("cached_tokens", cachedTokens).put("cost_pico", costPico).put("ended_at", endedAtMillis);
  }

  public static CompletionEvent fromJson(JsonObject json) {
    return new CompletionEvent(json.getString("model"), json.getString("provider"), json.getInteger("status"),
        json.getBoolean("stream"), json.getLong("duration_ns"), json.getLong("first_token_ns"),
        json.getInteger("prompt_tokens"), json.getInteger("completion_tokens"), json.getString("finish_reason"),
        json.getString("request_id"), json.getString("key_id"), json.getString("team"),
        json.getInteger("cached_tokens", 0), json.getLong("cost_pico", 0L), json.getLong("ended_at", 0L));
  }
}

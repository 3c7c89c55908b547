package ai.poncho.bus;

import io.vertx.core.json.JsonObject;

/**
 * What one model call did, for metrics and metering. {@code status} is the HTTP status the client got;
 * {@code keyId} and {@code team} name the caller (null when the gateway is open). {@code cache} says what
 * the response cache did: {@code hit} (answered from the cache: no upstream call, costs nothing; the tokens
 * are those of the cached answer), {@code miss}, {@code bypass}, or null where no cache ran.
 */
public record CompletionEvent(String model, String provider, int status, boolean stream, long durationNanos,
                              long firstTokenNanos, int promptTokens, int completionTokens, String finishReason,
                              String requestId, String keyId, String team, String cache) {

  public static final String CACHE_HIT = "hit";
  public static final String CACHE_MISS = "miss";
  public static final String CACHE_BYPASS = "bypass";

  public CompletionEvent(String model, String provider, int status, boolean stream, long durationNanos,
                         long firstTokenNanos, int promptTokens, int completionTokens, String finishReason,
                         String requestId, String keyId, String team) {
    this(model, provider, status, stream, durationNanos, firstTokenNanos, promptTokens, completionTokens,
        finishReason, requestId, keyId, team, null);
  }

  /** This event with what the response cache did. */
  public CompletionEvent withCache(String newCache) {
    return new CompletionEvent(model, provider, status, stream, durationNanos, firstTokenNanos, promptTokens,
        completionTokens, finishReason, requestId, keyId, team, newCache);
  }

  public boolean cacheHit() {
    return CACHE_HIT.equals(cache);
  }

  public JsonObject toJson() {
    return new JsonObject().put("model", model).put("provider", provider).put("status", status)
        .put("stream", stream).put("duration_ns", durationNanos).put("first_token_ns", firstTokenNanos)
        .put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
        .put("finish_reason", finishReason).put("request_id", requestId).put("key_id", keyId).put("team", team)
        .put("cache", cache);
  }

  public static CompletionEvent fromJson(JsonObject json) {
    return new CompletionEvent(json.getString("model"), json.getString("provider"), json.getInteger("status"),
        json.getBoolean("stream"), json.getLong("duration_ns"), json.getLong("first_token_ns"),
        json.getInteger("prompt_tokens"), json.getInteger("completion_tokens"), json.getString("finish_reason"),
        json.getString("request_id"), json.getString("key_id"), json.getString("team"),
        json.getString("cache"));
  }
}

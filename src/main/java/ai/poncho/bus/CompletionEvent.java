package ai.poncho.bus;

import ai.poncho.error.GatewayError;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * What one chat request did, for metrics and metering. {@code status} is the HTTP status the client got
 * on the status line (200 for a stream that started, even if it failed later; 499 when the client left);
 * {@code outcome} is one of the fixed names of {@link Outcome} and says how the request really ended.
 * {@code keyId} and {@code team} name the caller (null when the gateway is open). {@code cachedTokens}
 * are the prompt tokens the provider served from its cache, {@code costPico} the call's cost in
 * pico-dollars (1e-12 USD, exact), {@code endedAtMillis} when the call ended (epoch ms). {@code cache}
 * says what the response cache did: {@code hit} (answered from the cache: no upstream call, cost 0; the
 * tokens are those of the cached answer), {@code miss}, {@code bypass}, or null where no cache ran.
 * {@code firstTokenNanos} is the time from the call's arrival at dispatch to its first streamed chunk (0
 * when none). {@code operation} is {@link #CHAT} or {@link #EMBEDDINGS}; {@code requestedModel} the model
 * name the client asked for ({@code model} is the one that served it, after fallbacks).
 */
public record CompletionEvent(String model, String provider, int status, boolean stream, long durationNanos,
                              long firstTokenNanos, int promptTokens, int completionTokens, String finishReason,
                              String requestId, String keyId, String team, String outcome, int cachedTokens,
                              long costPico, long endedAtMillis, String cache, String operation,
                              String requestedModel) {

  public static final String CACHE_HIT = "hit";
  public static final String CACHE_MISS = "miss";
  public static final String CACHE_BYPASS = "bypass";
  /** The GenAI operation names ({@code gen_ai.operation.name}). */
  public static final String CHAT = "chat";
  public static final String EMBEDDINGS = "embeddings";

  public CompletionEvent {
    operation = operation == null ? CHAT : operation;
    requestedModel = requestedModel == null ? model : requestedModel;
  }

  public CompletionEvent(String model, String provider, int status, boolean stream, long durationNanos,
                         long firstTokenNanos, int promptTokens, int completionTokens, String finishReason,
                         String requestId, String keyId, String team, String outcome, int cachedTokens,
                         long costPico, long endedAtMillis, String cache) {
    this(model, provider, status, stream, durationNanos, firstTokenNanos, promptTokens, completionTokens,
        finishReason, requestId, keyId, team, outcome, cachedTokens, costPico, endedAtMillis, cache, null, null);
  }

  public CompletionEvent(String model, String provider, int status, boolean stream, long durationNanos,
                         long firstTokenNanos, int promptTokens, int completionTokens, String finishReason,
                         String requestId, String keyId, String team, String outcome, int cachedTokens,
                         long costPico, long endedAtMillis) {
    this(model, provider, status, stream, durationNanos, firstTokenNanos, promptTokens, completionTokens,
        finishReason, requestId, keyId, team, outcome, cachedTokens, costPico, endedAtMillis, null);
  }

  /** This event with what the response cache did. */
  public CompletionEvent withCache(String newCache) {
    return new CompletionEvent(model, provider, status, stream, durationNanos, firstTokenNanos, promptTokens,
        completionTokens, finishReason, requestId, keyId, team, outcome, cachedTokens, costPico, endedAtMillis,
        newCache, operation, requestedModel);
  }

  /** This event for {@code newOperation} on the model the client asked for. */
  public CompletionEvent withRequest(String newOperation, String requested) {
    return new CompletionEvent(model, provider, status, stream, durationNanos, firstTokenNanos, promptTokens,
        completionTokens, finishReason, requestId, keyId, team, outcome, cachedTokens, costPico, endedAtMillis,
        cache, newOperation, requested);
  }

  public boolean cacheHit() {
    return CACHE_HIT.equals(cache);
  }

  public CompletionEvent(String model, String provider, int status, boolean stream, long durationNanos,
                         long firstTokenNanos, int promptTokens, int completionTokens, String finishReason,
                         String requestId, String keyId, String team) {
    this(model, provider, status, stream, durationNanos, firstTokenNanos, promptTokens, completionTokens,
        finishReason, requestId, keyId, team, Outcome.ofStatus(status));
  }

  /** A call that was not metered (failed before any usage): no cached tokens, no cost, ended now. */
  public CompletionEvent(String model, String provider, int status, boolean stream, long durationNanos,
                         long firstTokenNanos, int promptTokens, int completionTokens, String finishReason,
                         String requestId, String keyId, String team, String outcome) {
    this(model, provider, status, stream, durationNanos, firstTokenNanos, promptTokens, completionTokens,
        finishReason, requestId, keyId, team, outcome, 0, 0, System.currentTimeMillis());
  }

  /** The fixed outcome names: metric label values never come from a client or an upstream string. */
  public static final class Outcome {
    public static final String SUCCESS = "success";
    public static final String CANCELLED = "cancelled";
    public static final String STALLED = "stalled";
    public static final String INVALID_REQUEST = "invalid_request";
    public static final String RATE_LIMITED = "rate_limited";
    public static final String UPSTREAM_ERROR = "upstream_error";
    public static final String UNAVAILABLE = "unavailable";
    public static final String TIMEOUT = "timeout";
    public static final String INTERNAL_ERROR = "internal_error";
    public static final Set<String> ALL = Set.of(SUCCESS, CANCELLED, STALLED, INVALID_REQUEST,
        RATE_LIMITED, UPSTREAM_ERROR, UNAVAILABLE, TIMEOUT, INTERNAL_ERROR);

    private Outcome() {
    }

    public static String ofStatus(int status) {
      if (status < 400) {
        return SUCCESS;
      }
      return switch (status) {
        case 499 -> CANCELLED;
        case 429 -> RATE_LIMITED;
        case 503 -> UNAVAILABLE;
        case 504 -> TIMEOUT;
        case 500 -> INTERNAL_ERROR;
        default -> status >= 500 ? UPSTREAM_ERROR : INVALID_REQUEST;
      };
    }

    public static String of(GatewayError error) {
      return "stream_stalled".equals(error.code()) ? STALLED : ofStatus(error.status());
    }
  }

  public JsonObject toJson() {
    return new JsonObject().put("model", model).put("provider", provider).put("status", status)
        .put("stream", stream).put("duration_ns", durationNanos).put("first_token_ns", firstTokenNanos)
        .put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
        .put("finish_reason", finishReason).put("request_id", requestId).put("key_id", keyId).put("team", team)
        .put("outcome", outcome).put("cached_tokens", cachedTokens).put("cost_pico", costPico)
        .put("ended_at", endedAtMillis).put("cache", cache).put("operation", operation)
        .put("requested_model", requestedModel);
  }

  public static CompletionEvent fromJson(JsonObject json) {
    int status = json.getInteger("status");
    return new CompletionEvent(json.getString("model"), json.getString("provider"), status,
        json.getBoolean("stream"), json.getLong("duration_ns"), json.getLong("first_token_ns"),
        json.getInteger("prompt_tokens"), json.getInteger("completion_tokens"), json.getString("finish_reason"),
        json.getString("request_id"), json.getString("key_id"), json.getString("team"),
        json.getString("outcome", Outcome.ofStatus(json.getInteger("status"))), json.getInteger("cached_tokens", 0),
        json.getLong("cost_pico", 0L), json.getLong("ended_at", 0L), json.getString("cache"),
        json.getString("operation"), json.getString("requested_model"));
  }
}

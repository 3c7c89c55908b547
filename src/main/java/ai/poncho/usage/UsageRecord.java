package ai.poncho.usage;

import ai.poncho.bus.CompletionEvent;
import ai.poncho.cost.Money;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * One finished call, as metered where it ended. Costs in pico-dollars; latencies in milliseconds;
 * {@code cache} is hit, miss, bypass or null (cache off), and a hit costs nothing.
 */
public record UsageRecord(long timeMillis, String requestId, String keyId, String team, String model,
                          String provider, int promptTokens, int completionTokens, int cachedTokens, long costPico,
                          int status, boolean stream, double latencyMs, double ttftMs, String cache) {

  public static UsageRecord of(CompletionEvent event) {
    return new UsageRecord(event.endedAtMillis(), event.requestId(), event.keyId(), event.team(), event.model(),
        event.provider(), event.promptTokens(), event.completionTokens(), event.cachedTokens(), event.costPico(),
        event.status(), event.stream(), event.durationNanos() / 1e6, event.firstTokenNanos() / 1e6, event.cache());
  }

  public boolean cacheHit() {
    return "hit".equals(cache);
  }

  public LocalDate day() {
    return LocalDate.ofInstant(Instant.ofEpochMilli(timeMillis), ZoneOffset.UTC);
  }

  public JsonObject toJson() {
    return new JsonObject().put("time", Instant.ofEpochMilli(timeMillis).toString()).put("request_id", requestId)
        .put("key_id", keyId).put("team", team).put("model", model).put("provider", provider)
        .put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
        .put("cached_tokens", cachedTokens).put("cost_usd", Money.format(costPico)).put("status", status)
        .put("stream", stream).put("latency_ms", latencyMs).put("time_to_first_token_ms", ttftMs)
        .put("cache", cache);
  }
}

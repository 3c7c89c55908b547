package ai.poncho.usage;

import ai.poncho.cost.Money;
import io.vertx.core.json.JsonObject;

/** Summed usage: calls, failed calls, cache hits, tokens and cost (pico-dollars). Mutable, for adding up. */
public final class Totals {

  static final String[] METRICS = {"requests", "errors", "prompt_tokens", "completion_tokens", "cached_tokens",
      "cost_pico", "cache_hits"};

  final long[] values = new long[METRICS.length];

  void add(UsageRecord record) {
    values[0]++;
    values[1] += record.status() >= 400 ? 1 : 0;
    values[2] += record.promptTokens();
    values[3] += record.completionTokens();
    values[4] += record.cachedTokens();
    values[5] += record.costPico();
    values[6] += record.cacheHit() ? 1 : 0;
  }

  void add(Totals other) {
    for (int i = 0; i < values.length; i++) {
      values[i] += other.values[i];
    }
  }

  public long requests() {
    return values[0];
  }

  public long costPico() {
    return values[5];
  }

  public JsonObject toJson() {
    return new JsonObject().put("requests", values[0]).put("errors", values[1]).put("prompt_tokens", values[2])
        .put("completion_tokens", values[3]).put("cached_tokens", values[4])
        .put("total_tokens", values[2] + values[3]).put("cost_usd", Money.format(values[5]))
        .put("cache_hits", values[6]);
  }
}

package ai.poncho.limits;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts the calls the edge refused: {@code poncho_limits_rejected_total{reason, limit, scope}} with
 * {@code reason} {@code rate_limited} (429 rate_limit_exceeded), {@code budget} (429 insufficient_quota) or
 * {@code store_unavailable} (on_store_failure: deny); {@code limit} {@code rpm}, {@code tpm},
 * {@code max_parallel}, {@code max_budget} or {@code none}; {@code scope} the kind of counter that refused
 * ({@code key}, {@code team}, {@code model}, {@code anonymous}, {@code none}). No key ids or team names:
 * the per-key and per-team view is the budget gauges' and the requests-by-key counters'.
 */
final class Rejections {

  private final MeterRegistry registry;

  Rejections(MeterRegistry registry) {
    this.registry = registry;
  }

  void count(LimitCheck check, Decision decision) {
    if (decision.verdict() == Decision.Verdict.OVER_BUDGET) {
      increment("budget", "max_budget", kind(decision.overBudgetScope()));
    } else if (decision.storeFailed()) {
      increment("store_unavailable", "none", "none");
    } else {
      Exceeded exceeded = Exceeded.of(check, decision);
      increment("rate_limited", exceeded.limit(), exceeded.scope() == null ? "none" : kind(exceeded.scope().id()));
    }
  }

  private static String kind(String scope) {
    if (scope == null) {
      return "none";
    }
    int colon = scope.indexOf(':');
    return colon < 0 ? scope : scope.substring(0, colon);
  }

  private void increment(String reason, String limit, String scope) {
    Counter.builder("poncho.limits.rejected").description("Model calls refused by a rate limit or budget")
        .tag("reason", reason).tag("limit", limit).tag("scope", scope).register(registry).increment();
  }
}

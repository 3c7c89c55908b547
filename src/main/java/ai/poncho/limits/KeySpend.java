package ai.poncho.limits;

import ai.poncho.cost.Money;
import ai.poncho.security.KeyLimits;
import ai.poncho.state.GatewayClock;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A key's spend in its current budget period, for {@code GET /api/v1/keys/{id}}: {@code spend},
 * {@code max_budget}, {@code remaining_budget} (null without a budget) in USD, the period and when it resets.
 */
public final class KeySpend {

  private final Limiter limiter;
  private final LimitPlan plan;
  private final GatewayClock clock;

  public KeySpend(Limiter limiter, LimitPlan plan, GatewayClock clock) {
    this.limiter = limiter;
    this.plan = plan;
    this.clock = clock;
  }

  public Future<JsonObject> of(String keyId, KeyLimits limits) {
    BudgetLine line = plan.keyLine(keyId, limits, clock.instant());
    return limiter.spend(List.of(line)).map(spent -> {
      long spend = spent.get(0);
      JsonObject json = new JsonObject().put("spend", Money.format(spend));
      json.put("remaining_budget", line.limited() ? Money.format(Math.max(0, line.maxPico() - spend)) : null);
      json.put("budget_resets_at", line.periodEnd() == null ? null : line.periodEnd().toString());
      return json;
    });
  }
}

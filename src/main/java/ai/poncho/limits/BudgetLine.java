package ai.poncho.limits;

import java.time.Instant;

/**
 * The spend counter of one key or team for one budget period. {@code counter} names it in the store
 * (scope, period and the period's first day); {@code maxPico} is the budget, or -1 when spend is only
 * tracked; {@code periodEnd} is when the counter may be dropped (null: a lifetime budget).
 */
public record BudgetLine(String scope, String counter, long maxPico, Instant periodEnd) {

  public boolean limited() {
    return maxPico >= 0;
  }
}

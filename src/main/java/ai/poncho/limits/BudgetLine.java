package ai.poncho.limits;

import java.time.Instant;

/**
 * The spend counter of one key or team for one budget period. {@code counter} names it in the store
 * (scope, period and the period's first day); {@code maxPico} is the budget, or -1 when spend is only
 * tracked; {@code periodEnd} is when the period ends (null: a lifetime budget) and {@code keepSeconds}
 * how long the counter is kept from now (until well after its period ended; 0: for ever).
 */
public record BudgetLine(String scope, String counter, long maxPico, Instant periodEnd, long keepSeconds) {

  public boolean limited() {
    return maxPico >= 0;
  }
}

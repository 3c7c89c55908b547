package ai.poncho.limits;

import java.util.List;

/**
 * What one call asks of the limiter: one request and {@code tokens} (the prompt's estimate, held until
 * the call ends) on every scope, a slot on scopes with max_parallel, and budgets not yet spent.
 * {@code id} names the call's entries so that they can be released.
 */
public record LimitCheck(String id, List<Scope> scopes, int tokens, List<BudgetLine> budgets) {

  public boolean limitsAnything() {
    return !scopes.isEmpty() || budgets.stream().anyMatch(BudgetLine::limited);
  }

  /** Whether any scope has a rate (rpm or tpm) to report in the x-ratelimit-* headers. */
  public boolean hasRates() {
    return scopes.stream().anyMatch(scope -> scope.rates().rpm() > 0 || scope.rates().tpm() > 0);
  }

  public boolean holdsSomething() {
    return scopes.stream().anyMatch(scope -> scope.rates().tpm() > 0 || scope.rates().maxParallel() > 0);
  }
}

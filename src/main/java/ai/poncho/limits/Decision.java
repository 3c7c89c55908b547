package ai.poncho.limits;

import java.util.List;

/**
 * The limiter's answer: admitted, over a rate or over a budget; the counters each scope had before
 * this call (for the x-ratelimit-* headers), in the order of the check's scopes; how long to wait
 * before a retry may pass. {@code storeFailed}: the store did not answer and the configured policy decided.
 */
public record Decision(Verdict verdict, long retryAfterMs, List<ScopeState> states, String overBudgetScope,
                       boolean storeFailed) {

  public enum Verdict { ALLOWED, RATE_LIMITED, OVER_BUDGET }

  /** Requests and tokens counted in the window, and when its oldest request or token entry leaves it. */
  public record ScopeState(int requests, long requestsResetMs, long tokens, long tokensResetMs) {
  }

  public boolean allowed() {
    return verdict == Verdict.ALLOWED;
  }

  static Decision storeFailure(boolean deny) {
    return new Decision(deny ? Verdict.RATE_LIMITED : Verdict.ALLOWED, 1000, List.of(), null, true);
  }
}

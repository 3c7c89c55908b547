package ai.poncho.limits;

import io.vertx.core.Future;
import java.util.List;

/**
 * The shared counters behind limits and budgets: in this node's memory, or in Redis so that every
 * replica enforces one limit. Each operation is one atomic step (one Redis round trip). Rate windows
 * slide: a request counts for exactly one window after it was admitted, tokens from when they were
 * known; nothing resets at a fixed boundary.
 */
public interface Limiter {

  /** Checks every scope and budget of the call and, only if all pass, counts it. */
  Future<Decision> check(LimitCheck check);

  /** The call ended at the edge: drops its token estimate and frees its in-flight slots. */
  Future<Void> release(LimitCheck check);

  /**
   * The provider reported what the call used: {@code tokens} count on the scopes with a tpm limit from
   * now on, {@code costPico} on each budget line. Completes with each line's spend after it.
   */
  Future<List<Long>> settle(List<Scope> scopes, long tokens, List<BudgetLine> budgets, long costPico);

  /** The current spend of each budget line. */
  Future<List<Long>> spend(List<BudgetLine> budgets);

  Future<Void> close();
}

package ai.poncho.limits;

import ai.poncho.state.GatewayClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedded limiter: one per node, shared by its HTTP and dispatch verticles. Sliding logs per
 * scope (admitted requests, token entries, in-flight leases) under one lock, so a check and its
 * counting are atomic, as the Redis script is.
 */
public final class MemoryLimiter implements Limiter, Shareable {

  private static final String LOCAL_MAP = "poncho";
  private static final String KEY = "limits.memory";

  private final GatewayClock clock;
  private final long windowMs;
  private final long leaseMs;
  private final Map<String, Counters> scopes = new HashMap<>();
  private final Map<String, Long> spend = new HashMap<>();
  private long sequence;

  /** Entries in admission order, so the oldest leave first. */
  private static final class Counters {
    final LinkedHashMap<String, Long> requests = new LinkedHashMap<>();
    final LinkedHashMap<String, long[]> tokens = new LinkedHashMap<>();
    final Map<String, Long> inFlight = new HashMap<>();
    long tokenSum;
  }

  private MemoryLimiter(GatewayClock clock, long windowMs, long leaseMs) {
    this.clock = clock;
    this.windowMs = windowMs;
    this.leaseMs = leaseMs;
  }

  public static MemoryLimiter of(Vertx vertx, LimitsConfig config) {
    MemoryLimiter fresh = new MemoryLimiter(GatewayClock.of(vertx), config.window().toMillis(),
        config.parallelLease().toMillis());
    MemoryLimiter existing = (MemoryLimiter) vertx.sharedData().getLocalMap(LOCAL_MAP).putIfAbsent(KEY, fresh);
    return existing != null ? existing : fresh;
  }

  @Override
  public synchronized Future<Decision> check(LimitCheck check) {
    long now = clock.millis();
    List<Decision.ScopeState> states = new ArrayList<>();
    long retry = 0;
    boolean limited = false;
    for (Scope scope : check.scopes()) {
      Counters c = scopes.computeIfAbsent(scope.id(), id -> new Counters());
      expire(c, now);
      Rates rates = scope.rates();
      int requests = c.requests.size();
      long requestsReset = requests == 0 ? 0 : c.requests.values().iterator().next() + windowMs - now;
      if (rates.rpm() > 0 && requests >= rates.rpm()) {
        limited = true;
        retry = Math.max(retry, nth(c.requests, requests - rates.rpm()) + windowMs - now);
      }
      long tokensReset = c.tokens.isEmpty() ? 0 : c.tokens.values().iterator().next()[0] + windowMs - now;
      // An empty window admits one call of any size: a prompt larger than the limit could never pass.
      if (rates.tpm() > 0 && c.tokenSum > 0 && c.tokenSum + check.tokens() > rates.tpm()) {
        limited = true;
        retry = Math.max(retry, tokensFreedAt(c, c.tokenSum + check.tokens() - rates.tpm()) + windowMs - now);
      }
      if (rates.maxParallel() > 0 && c.inFlight.size() >= rates.maxParallel()) {
        limited = true;
        retry = Math.max(retry, 1000);
      }
      states.add(new Decision.ScopeState(requests, requestsReset, c.tokenSum, tokensReset));
    }
    for (BudgetLine line : check.budgets()) {
      if (line.limited() && spend.getOrDefault(line.counter(), 0L) >= line.maxPico()) {
        return Future.succeededFuture(new Decision(Decision.Verdict.OVER_BUDGET, 0, states, line.scope(), false));
      }
    }
    if (limited) {
      return Future.succeededFuture(new Decision(Decision.Verdict.RATE_LIMITED, Math.max(1, retry), states, null,
          false));
    }
    for (Scope scope : check.scopes()) {
      Counters c = scopes.get(scope.id());
      Rates rates = scope.rates();
      if (rates.rpm() > 0) {
        c.requests.put(check.id(), now);
      }
      if (rates.tpm() > 0) {
        c.tokens.put("h:" + check.id(), new long[] {now, check.tokens()});
        c.tokenSum += check.tokens();
      }
      if (rates.maxParallel() > 0) {
        c.inFlight.put(check.id(), now + leaseMs);
      }
    }
    return Future.succeededFuture(new Decision(Decision.Verdict.ALLOWED, 0, states, null, false));
  }

  @Override
  public synchronized Future<Void> release(LimitCheck check) {
    for (Scope scope : check.scopes()) {
      Counters c = scopes.get(scope.id());
      if (c == null) {
        continue;
      }
      long[] held = c.tokens.remove("h:" + check.id());
      if (held != null) {
        c.tokenSum -= held[1];
      }
      c.inFlight.remove(check.id());
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<List<Long>> settle(List<Scope> settled, long tokens, List<BudgetLine> budgets,
                                                long costPico) {
    long now = clock.millis();
    if (tokens > 0) {
      for (Scope scope : settled) {
        if (scope.rates().tpm() > 0) {
          Counters c = scopes.computeIfAbsent(scope.id(), id -> new Counters());
          expire(c, now);
          c.tokens.put("a:" + (++sequence), new long[] {now, tokens});
          c.tokenSum += tokens;
        }
      }
    }
    List<Long> totals = new ArrayList<>();
    for (BudgetLine line : budgets) {
      totals.add(spend.merge(line.counter(), costPico, Long::sum));
    }
    return Future.succeededFuture(totals);
  }

  @Override
  public synchronized Future<List<Long>> spend(List<BudgetLine> budgets) {
    return Future.succeededFuture(budgets.stream().map(line -> spend.getOrDefault(line.counter(), 0L)).toList());
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  private void expire(Counters c, long now) {
    long horizon = now - windowMs;
    for (Iterator<Long> it = c.requests.values().iterator(); it.hasNext() && it.next() <= horizon; ) {
      it.remove();
    }
    for (Iterator<long[]> it = c.tokens.values().iterator(); it.hasNext(); ) {
      long[] entry = it.next();
      if (entry[0] > horizon) {
        break;
      }
      c.tokenSum -= entry[1];
      it.remove();
    }
    c.inFlight.values().removeIf(until -> until <= now);
  }

  private static long nth(LinkedHashMap<String, Long> entries, int n) {
    Iterator<Long> it = entries.values().iterator();
    long at = 0;
    for (int i = 0; i <= n && it.hasNext(); i++) {
      at = it.next();
    }
    return at;
  }

  /** When enough of the oldest token entries will have left the window to free {@code needed} tokens. */
  private long tokensFreedAt(Counters c, long needed) {
    long freed = 0;
    long at = 0;
    for (long[] entry : c.tokens.values()) {
      freed += entry[1];
      at = entry[0];
      if (freed >= needed) {
        break;
      }
    }
    return at;
  }
}

package ai.poncho.limits;

import ai.poncho.state.GatewayClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The embedded limiter: one per node, shared by its HTTP and dispatch verticles. Sliding logs per
 * scope (admitted requests, settled token entries, token holds of calls in flight, in-flight leases)
 * under one lock, so a check and its counting are atomic, as the Redis script is. Logs are rings of
 * primitive timestamps: a scope costs 8 bytes per request (16 per settled call) in its window.
 */
public final class MemoryLimiter implements Limiter, Shareable {

  private static final String LOCAL_MAP = "poncho";
  private static final String KEY = "limits.memory";

  private final GatewayClock clock;
  private final long windowMs;
  private final long leaseMs;
  private final Map<String, Counters> scopes = new HashMap<>();
  private final Map<String, Long> spend = new HashMap<>();

  /** A growable ring of longs, oldest first. */
  private static final class LongRing {
    private long[] items = new long[16];
    private int head;
    private int size;

    void add(long value) {
      if (size == items.length) {
        long[] grown = new long[items.length * 2];
        for (int i = 0; i < size; i++) {
          grown[i] = get(i);
        }
        items = grown;
        head = 0;
      }
      items[(head + size++) % items.length] = value;
    }

    long get(int i) {
      return items[(head + i) % items.length];
    }

    long removeFirst() {
      long value = items[head];
      head = (head + 1) % items.length;
      size--;
      return value;
    }

    int size() {
      return size;
    }
  }

  private static final class Counters {
    final LongRing requests = new LongRing();
    /** Settled token entries: their times and amounts. */
    final LongRing tokenTimes = new LongRing();
    final LongRing tokenAmounts = new LongRing();
    long settledSum;
    /** Estimates held by calls in flight: {time, tokens} by call id. */
    final Map<String, long[]> holds = new HashMap<>();
    long heldSum;
    final Map<String, Long> inFlight = new HashMap<>();

    long tokens() {
      return settledSum + heldSum;
    }

    /** Token entries (settled and held) as {time, tokens}, oldest first; only when a call is refused. */
    List<long[]> tokenEntries() {
      List<long[]> entries = new ArrayList<>(holds.values());
      for (int i = 0; i < tokenTimes.size(); i++) {
        entries.add(new long[] {tokenTimes.get(i), tokenAmounts.get(i)});
      }
      entries.sort((a, b) -> Long.compare(a[0], b[0]));
      return entries;
    }

    long oldestToken() {
      long oldest = tokenTimes.size() > 0 ? tokenTimes.get(0) : Long.MAX_VALUE;
      for (long[] hold : holds.values()) {
        oldest = Math.min(oldest, hold[0]);
      }
      return oldest;
    }
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
      long requestsReset = requests == 0 ? 0 : c.requests.get(0) + windowMs - now;
      if (rates.rpm() > 0 && requests >= rates.rpm()) {
        limited = true;
        retry = Math.max(retry, c.requests.get(requests - rates.rpm()) + windowMs - now);
      }
      long tokens = c.tokens();
      long tokensReset = tokens == 0 ? 0 : c.oldestToken() + windowMs - now;
      // An empty window admits one call of any size: a prompt larger than the limit could never pass.
      if (rates.tpm() > 0 && tokens > 0 && tokens + check.tokens() > rates.tpm()) {
        limited = true;
        retry = Math.max(retry, tokensFreedAt(c, tokens + check.tokens() - rates.tpm()) + windowMs - now);
      }
      if (rates.maxParallel() > 0 && c.inFlight.size() >= rates.maxParallel()) {
        limited = true;
        retry = Math.max(retry, 1000);
      }
      states.add(new Decision.ScopeState(requests, requestsReset, tokens, tokensReset));
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
        c.requests.add(now);
      }
      if (rates.tpm() > 0) {
        c.holds.put(check.id(), new long[] {now, check.tokens()});
        c.heldSum += check.tokens();
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
      long[] held = c.holds.remove(check.id());
      if (held != null) {
        c.heldSum -= held[1];
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
          c.tokenTimes.add(now);
          c.tokenAmounts.add(tokens);
          c.settledSum += tokens;
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
    while (c.requests.size() > 0 && c.requests.get(0) <= horizon) {
      c.requests.removeFirst();
    }
    while (c.tokenTimes.size() > 0 && c.tokenTimes.get(0) <= horizon) {
      c.tokenTimes.removeFirst();
      c.settledSum -= c.tokenAmounts.removeFirst();
    }
    if (!c.holds.isEmpty()) {
      // A hold outlives its window only if its call was never released (it cannot be, on one node).
      for (Iterator<long[]> it = c.holds.values().iterator(); it.hasNext(); ) {
        long[] hold = it.next();
        if (hold[0] <= now - leaseMs) {
          c.heldSum -= hold[1];
          it.remove();
        }
      }
    }
    if (!c.inFlight.isEmpty()) {
      c.inFlight.values().removeIf(until -> until <= now);
    }
  }

  /** When enough of the oldest token entries will have left the window to free {@code needed} tokens. */
  private static long tokensFreedAt(Counters c, long needed) {
    long freed = 0;
    long at = 0;
    for (long[] entry : c.tokenEntries()) {
      freed += entry[1];
      at = entry[0];
      if (freed >= needed) {
        break;
      }
    }
    return at;
  }
}

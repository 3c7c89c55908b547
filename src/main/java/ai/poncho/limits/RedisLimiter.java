package ai.poncho.limits;

import ai.poncho.state.LuaScript;
import ai.poncho.state.RedisState;
import io.vertx.core.Future;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * The limiter on Redis, so that every replica enforces one limit: each operation is one Lua script,
 * one round trip, atomic. Windows are timed by the Redis server's clock (replicas' clocks may differ).
 * Per scope: {@code lim:<scope>:r} (sorted set of admitted requests), {@code :t} (token entries,
 * member {@code <entry>:<tokens>}), {@code :s} (their sum), {@code :p} (in-flight leases, scored by
 * expiry); per budget line {@code spend:<counter>} (integer pico-dollars).
 */
public final class RedisLimiter implements Limiter {

  private static final String NOW = """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local function amount(member) return tonumber(string.match(member, ':(%-?%d+)$')) end
      local function expire(tk, sk, horizon)
        local old = redis.call('ZRANGEBYSCORE', tk, '-inf', horizon)
        if #old > 0 then
          local freed = 0
          for _, m in ipairs(old) do freed = freed + amount(m) end
          redis.call('ZREMRANGEBYSCORE', tk, '-inf', horizon)
          redis.call('DECRBY', sk, freed)
        end
        return tonumber(redis.call('GET', sk) or '0')
      end
      """;

  /**
   * KEYS: per scope r, t, s, p; then one spend counter per budget. ARGV: window, lease, id, tokens,
   * scope count, per scope rpm tpm max_parallel, budget count, per budget its maximum (-1: tracked only).
   * Returns verdict (0 allowed, 1 rate, 2 budget), retry ms, the over-budget index, then per scope
   * requests, requests reset, tokens, tokens reset.
   */
  private static final LuaScript CHECK = LuaScript.of("limits-check", NOW + """
      local window, lease, id, est = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
      local n = tonumber(ARGV[5])
      local verdict, retry, over = 0, 0, 0
      local out = {}
      for i = 0, n - 1 do
        local rk, tk, sk, pk = KEYS[i*4+1], KEYS[i*4+2], KEYS[i*4+3], KEYS[i*4+4]
        local rpm, tpm, par = tonumber(ARGV[6+i*3]), tonumber(ARGV[7+i*3]), tonumber(ARGV[8+i*3])
        local reqs, rreset, toks, treset = 0, 0, 0, 0
        redis.call('ZREMRANGEBYSCORE', rk, '-inf', now - window)
        reqs = redis.call('ZCARD', rk)
        if reqs > 0 then
          rreset = tonumber(redis.call('ZRANGE', rk, 0, 0, 'WITHSCORES')[2]) + window - now
        end
        if rpm > 0 and reqs >= rpm then
          verdict = 1
          local nth = redis.call('ZRANGE', rk, reqs - rpm, reqs - rpm, 'WITHSCORES')
          retry = math.max(retry, tonumber(nth[2]) + window - now)
        end
        toks = expire(tk, sk, now - window)
        if toks ~= 0 then
          local first = redis.call('ZRANGE', tk, 0, 0, 'WITHSCORES')
          if #first > 0 then treset = tonumber(first[2]) + window - now end
        end
        if tpm > 0 and toks > 0 and toks + est > tpm then
          verdict = 1
          local need, freed, at = toks + est - tpm, 0, now
          local entries = redis.call('ZRANGE', tk, 0, -1, 'WITHSCORES')
          for j = 1, #entries, 2 do
            freed = freed + amount(entries[j])
            at = tonumber(entries[j + 1])
            if freed >= need then break end
          end
          retry = math.max(retry, at + window - now)
        end
        if par > 0 then
          redis.call('ZREMRANGEBYSCORE', pk, '-inf', now)
          if redis.call('ZCARD', pk) >= par then
            verdict = 1
            retry = math.max(retry, 1000)
          end
        end
        out[#out + 1] = reqs
        out[#out + 1] = rreset
        out[#out + 1] = toks
        out[#out + 1] = treset
      end
      local nb = tonumber(ARGV[6 + n*3])
      for j = 1, nb do
        local max = tonumber(ARGV[6 + n*3 + j])
        if max >= 0 and tonumber(redis.call('GET', KEYS[n*4 + j]) or '0') >= max then
          verdict, over = 2, j
          break
        end
      end
      if verdict == 0 then
        for i = 0, n - 1 do
          local rk, tk, sk, pk = KEYS[i*4+1], KEYS[i*4+2], KEYS[i*4+3], KEYS[i*4+4]
          local rpm, tpm, par = tonumber(ARGV[6+i*3]), tonumber(ARGV[7+i*3]), tonumber(ARGV[8+i*3])
          if rpm > 0 then
            redis.call('ZADD', rk, now, id)
            redis.call('PEXPIRE', rk, window + 1000)
          end
          if tpm > 0 then
            redis.call('ZADD', tk, now, 'h:' .. id .. ':' .. ARGV[4])
            redis.call('INCRBY', sk, est)
            redis.call('PEXPIRE', tk, window + 1000)
            redis.call('PEXPIRE', sk, window + 1000)
          end
          if par > 0 then
            redis.call('ZADD', pk, now + lease, id)
            redis.call('PEXPIRE', pk, lease + 1000)
          end
        end
      end
      local result = {verdict, retry, over}
      for _, v in ipairs(out) do result[#result + 1] = v end
      return result
      """);

  /** KEYS: per scope t, s, p. ARGV: id, tokens. Drops the call's token estimate and its lease. */
  private static final LuaScript RELEASE = LuaScript.of("limits-release", """
      for i = 0, #KEYS / 3 - 1 do
        if redis.call('ZREM', KEYS[i*3+1], 'h:' .. ARGV[1] .. ':' .. ARGV[2]) == 1 then
          redis.call('DECRBY', KEYS[i*3+2], ARGV[2])
        end
        redis.call('ZREM', KEYS[i*3+3], ARGV[1])
      end
      return 0
      """);

  /**
   * KEYS: per tpm scope t, s; then per budget a spend counter. ARGV: window, tokens, entry id, scope
   * count, cost, per budget how long to keep it (seconds, 0 for ever). Returns each counter's new spend.
   */
  private static final LuaScript SETTLE = LuaScript.of("limits-settle", NOW + """
      local window, tokens, entry, n, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), ARGV[5]
      for i = 0, n - 1 do
        local tk, sk = KEYS[i*2+1], KEYS[i*2+2]
        expire(tk, sk, now - window)
        redis.call('ZADD', tk, now, 'a:' .. entry .. ':' .. ARGV[2])
        redis.call('INCRBY', sk, tokens)
        redis.call('PEXPIRE', tk, window + 1000)
        redis.call('PEXPIRE', sk, window + 1000)
      end
      local totals = {}
      for j = n*2 + 1, #KEYS do
        totals[#totals + 1] = redis.call('INCRBY', KEYS[j], cost)
        local at = tonumber(ARGV[6 + j - n*2 - 1])
        if at > 0 then redis.call('EXPIRE', KEYS[j], at) end
      end
      return totals
      """);

  private final RedisState redis;
  private final String prefix;
  private final long windowMs;
  private final long leaseMs;

  public RedisLimiter(RedisState redis, String prefix, LimitsConfig config) {
    this.redis = redis;
    this.prefix = prefix;
    this.windowMs = config.window().toMillis();
    this.leaseMs = config.parallelLease().toMillis();
  }

  @Override
  public Future<Decision> check(LimitCheck check) {
    List<String> keys = new ArrayList<>();
    List<String> args = new ArrayList<>(List.of(Long.toString(windowMs), Long.toString(leaseMs), check.id(),
        Integer.toString(check.tokens()), Integer.toString(check.scopes().size())));
    for (Scope scope : check.scopes()) {
      String base = prefix + "lim:" + scope.id();
      keys.addAll(List.of(base + ":r", base + ":t", base + ":s", base + ":p"));
      args.add(Integer.toString(scope.rates().rpm()));
      args.add(Integer.toString(scope.rates().tpm()));
      args.add(Integer.toString(scope.rates().maxParallel()));
    }
    args.add(Integer.toString(check.budgets().size()));
    for (BudgetLine line : check.budgets()) {
      keys.add(spendKey(line));
      args.add(Long.toString(line.maxPico()));
    }
    return redis.eval(CHECK, keys, args).map(response -> {
      int verdict = response.get(0).toInteger();
      List<Decision.ScopeState> states = new ArrayList<>();
      for (int i = 0; i < check.scopes().size(); i++) {
        int at = 3 + i * 4;
        states.add(new Decision.ScopeState(response.get(at).toInteger(), response.get(at + 1).toLong(),
            response.get(at + 2).toLong(), response.get(at + 3).toLong()));
      }
      return switch (verdict) {
        case 0 -> new Decision(Decision.Verdict.ALLOWED, 0, states, null, false);
        case 1 -> new Decision(Decision.Verdict.RATE_LIMITED, Math.max(1, response.get(1).toLong()), states, null,
            false);
        default -> new Decision(Decision.Verdict.OVER_BUDGET, 0, states,
            check.budgets().get(response.get(2).toInteger() - 1).scope(), false);
      };
    });
  }

  @Override
  public Future<Void> release(LimitCheck check) {
    List<String> keys = new ArrayList<>();
    for (Scope scope : check.scopes()) {
      if (scope.rates().tpm() > 0 || scope.rates().maxParallel() > 0) {
        String base = prefix + "lim:" + scope.id();
        keys.addAll(List.of(base + ":t", base + ":s", base + ":p"));
      }
    }
    if (keys.isEmpty()) {
      return Future.succeededFuture();
    }
    return redis.eval(RELEASE, keys, List.of(check.id(), Integer.toString(check.tokens()))).mapEmpty();
  }

  @Override
  public Future<List<Long>> settle(List<Scope> scopes, long tokens, List<BudgetLine> budgets, long costPico) {
    List<String> keys = new ArrayList<>();
    int counted = 0;
    if (tokens > 0) {
      for (Scope scope : scopes) {
        if (scope.rates().tpm() > 0) {
          String base = prefix + "lim:" + scope.id();
          keys.add(base + ":t");
          keys.add(base + ":s");
          counted++;
        }
      }
    }
    if (counted == 0 && budgets.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<String> args = new ArrayList<>(List.of(Long.toString(windowMs), Long.toString(tokens),
        ai.poncho.chat.Ids.random(""), Integer.toString(counted), Long.toString(costPico)));
    for (BudgetLine line : budgets) {
      keys.add(spendKey(line));
      args.add(Long.toString(line.keepSeconds()));
    }
    return redis.eval(SETTLE, keys, args).map(RedisLimiter::longs);
  }

  @Override
  public Future<List<Long>> spend(List<BudgetLine> budgets) {
    if (budgets.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    io.vertx.redis.client.Request mget = io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.MGET);
    budgets.forEach(line -> mget.arg(spendKey(line)));
    return redis.send(mget).map(response -> {
      List<Long> totals = new ArrayList<>();
      for (Response value : response) {
        totals.add(value == null ? 0L : value.toLong());
      }
      return totals;
    });
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  private String spendKey(BudgetLine line) {
    return prefix + "spend:" + line.counter();
  }

  private static List<Long> longs(Response response) {
    List<Long> values = new ArrayList<>();
    for (Response value : response) {
      values.add(value.toLong());
    }
    return values;
  }
}

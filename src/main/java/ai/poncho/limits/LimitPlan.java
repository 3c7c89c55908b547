package ai.poncho.limits;

import ai.poncho.bus.PromptExecution;
import ai.poncho.cost.BudgetPeriods;
import ai.poncho.cost.Money;
import ai.poncho.security.BudgetPeriod;
import ai.poncho.security.Caller;
import ai.poncho.security.KeyLimits;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Which counters a call is charged to, the same on the edge (check) and where the call ends (settle):
 * the caller's ({@code key:<id>}, or {@code anonymous} on an open gateway) with the key's rpm, tpm and
 * max_parallel, each falling back to {@code limits.default}; its team's ({@code team:<name>}) when
 * {@code teams.<name>.limits} sets rates; the model's ({@code model:<name>}) when
 * {@code models.<name>.limits} does. Each has its own window, so the tightest one decides. Budgets: the
 * key's {@code max_budget} per {@code budget_period} (spend is tracked for every key, budget or not) and
 * the team's.
 */
public final class LimitPlan {

  /** Spend is kept a while past its period, so that reports can still read it. */
  private static final long KEPT_AFTER_PERIOD_SECONDS = 40L * 24 * 3600;

  private final LimitsConfig config;

  public LimitPlan(LimitsConfig config) {
    this.config = config;
  }

  public LimitsConfig config() {
    return config;
  }

  public List<Scope> scopes(Caller caller, String model) {
    List<Scope> scopes = new ArrayList<>(3);
    KeyLimits own = caller.limits();
    Rates callerRates = Rates.of(own.rpm(), own.tpm(), own.maxParallel(), config.defaults());
    if (!callerRates.isEmpty()) {
      scopes.add(new Scope(caller.anonymous() ? "anonymous" : "key:" + caller.keyId(), callerRates));
    }
    KeyLimits team = caller.team() == null ? null : config.teams().get(caller.team());
    if (team != null) {
      Rates teamRates = Rates.of(team.rpm(), team.tpm(), team.maxParallel(), Rates.NONE);
      if (!teamRates.isEmpty()) {
        scopes.add(new Scope("team:" + caller.team(), teamRates));
      }
    }
    Rates modelRates = model == null || PromptExecution.isPrompt(model) ? null : config.models().get(model);
    if (modelRates != null) {
      scopes.add(new Scope("model:" + model, modelRates));
    }
    return scopes;
  }

  /** The key's spend line (also without a budget, to report spend) and the team's budget line, if any. */
  public List<BudgetLine> budgets(Caller caller, Instant now) {
    List<BudgetLine> lines = new ArrayList<>(2);
    if (!caller.anonymous()) {
      lines.add(keyLine(caller.keyId(), caller.limits(), now));
    }
    KeyLimits team = caller.team() == null ? null : config.teams().get(caller.team());
    if (team != null && team.maxBudget() != null) {
      lines.add(line("team:" + caller.team(), team.maxBudget(), team.budgetPeriod(), now));
    }
    return lines;
  }

  public BudgetLine keyLine(String keyId, KeyLimits limits, Instant now) {
    return line("key:" + keyId, limits.maxBudget(), limits.budgetPeriod(), now);
  }

  private static BudgetLine line(String scope, java.math.BigDecimal max, BudgetPeriod period, Instant now) {
    BudgetPeriod p = period == null ? BudgetPeriod.NONE : period;
    String counter = scope + ":" + p.wireName() + ":" + BudgetPeriods.start(p, now);
    Instant end = BudgetPeriods.end(p, now);
    long keep = end == null ? 0 : Math.max(1, end.getEpochSecond() - now.getEpochSecond()) + KEPT_AFTER_PERIOD_SECONDS;
    return new BudgetLine(scope, counter, max == null ? -1 : Money.toPico(max), end, keep);
  }

  public LimitCheck check(String id, Caller caller, String model, int tokens, Instant now) {
    return new LimitCheck(id, scopes(caller, model), tokens, budgets(caller, now));
  }
}

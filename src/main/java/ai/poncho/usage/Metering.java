package ai.poncho.usage;

import ai.poncho.bus.CompletionEvent;
import ai.poncho.bus.StreamMeter;
import ai.poncho.chat.ChatChunk;
import ai.poncho.chat.ChatRequest;
import ai.poncho.chat.ToolCallDelta;
import ai.poncho.chat.Usage;
import ai.poncho.config.ModelConfig;
import ai.poncho.config.PonchoConfig;
import ai.poncho.cost.Money;
import ai.poncho.cost.Price;
import ai.poncho.cost.PriceTable;
import ai.poncho.limits.BudgetLine;
import ai.poncho.limits.LimitPlan;
import ai.poncho.limits.StoreFailures;
import ai.poncho.limits.Stores;
import ai.poncho.limits.TokenEstimator;
import ai.poncho.security.Caller;
import ai.poncho.state.GatewayClock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metering where a call ends (the dispatch side), from the provider's reported usage: prices the call
 * once, counts its tokens against the tpm windows (replacing the edge's estimate) and its cost against the
 * key's and team's budget periods before the answer goes out (so that the caller's next call sees it),
 * and queues its usage record. Keeps the soft budget alert gauges:
 * {@code poncho_budget_used_ratio} and {@code poncho_budget_soft_limit_reached} (1 once spend passes
 * {@code limits.budget_alert_at} of the budget) per key and team with a budget.
 */
public final class Metering {

  private static final Logger LOG = LoggerFactory.getLogger(Metering.class);

  private final Vertx vertx;
  private final PriceTable prices;
  private final LimitPlan plan;
  private final Stores stores;
  private final StoreFailures failures;
  private final UsageWriter writer;
  private final TokenEstimator estimator;
  private final GatewayClock clock;
  private final MeterRegistry registry;
  private final double alertAt;
  private final Map<String, BudgetState> budgets = new ConcurrentHashMap<>();

  /** A budget's last known use, for the gauges; a gauge reads 0 once its period is over. */
  private final class BudgetState {
    volatile double ratio;
    volatile Instant periodEnd;

    double ratio() {
      return periodEnd != null && !clock.instant().isBefore(periodEnd) ? 0 : ratio;
    }
  }

  public Metering(Vertx vertx, PonchoConfig config, Stores stores, MeterRegistry registry) {
    this.vertx = vertx;
    this.prices = config.limits().prices();
    this.plan = new LimitPlan(config.limits());
    this.stores = stores;
    this.failures = new StoreFailures(config.limits().denyOnStoreFailure(), registry);
    this.writer = new UsageWriter(vertx, stores.usage(), config.usage(), registry);
    this.estimator = new TokenEstimator(config.models());
    this.clock = GatewayClock.of(vertx);
    this.registry = registry;
    this.alertAt = config.limits().budgetAlertAt();
  }

  /** The cost of a call in pico-dollars. */
  public long cost(String model, ModelConfig deployment, Usage usage) {
    return prices.price(model, deployment).cost(usage);
  }

  /**
   * Meters a stream of {@code model} served by {@code deployment} for {@code request}, charged to
   * {@code caller} and the model the edge checked ({@code requestedModel}).
   */
  public StreamMeter streamMeter(String model, ModelConfig deployment, ChatRequest request, Caller caller,
                                 String requestedModel) {
    Price price = prices.price(model, deployment);
    return new StreamMeter() {
      /** Counted only when needed: a provider that reports its usage (the usual case) makes the count moot. */
      private final ProducedText produced = new ProducedText(piece -> estimator.count(model, piece));
      private Future<Void> settled;

      @Override
      public void onChunk(ChatChunk chunk) {
        for (ChatChunk.Choice choice : chunk.choices()) {
          if (choice.delta() != null && choice.delta().content() != null) {
            produced.add(choice.delta().content());
          }
          if (choice.delta() != null && choice.delta().toolCalls() != null) {
            for (ToolCallDelta call : choice.delta().toolCalls()) {
              produced.add(call.toJson().encode());
            }
          }
        }
      }

      private Future<Usage> unreported;

      @Override
      public Future<Usage> unreported() {
        if (unreported == null) {
          // The stream has ended: nothing adds to the produced text while the worker counts it.
          unreported = vertx.executeBlocking(() -> Usage.of(estimator.estimate(request.toJson()), produced.tokens()),
                  false)
              .recover(failure -> {
                LOG.warn("Could not estimate the tokens of a stream without reported usage: {}", failure.toString());
                return Future.succeededFuture(Usage.of(0, 0));
              });
        }
        return unreported;
      }

      @Override
      public String costUsd(Usage usage) {
        return Money.format(price.cost(usage));
      }

      @Override
      public Future<Void> settle(Usage usage) {
        if (settled == null) {
          settled = Metering.this.settle(caller, requestedModel, usage, price.cost(usage));
        }
        return settled;
      }
    };
  }

  /**
   * Counts a call's usage against the tpm windows of its scopes ({@code requestedModel}: the model the
   * edge checked) and its cost against the key's and team's budgets. Completes once counted, or once the
   * store gave up (counted and logged as a store failure); never fails. Calls that used nothing settle nothing.
   */
  public Future<Void> settle(Caller caller, String requestedModel, Usage usage, long costPico) {
    long tokens = usage == null ? 0 : (long) usage.promptTokens() + usage.completionTokens();
    if (tokens == 0 && costPico == 0) {
      return Future.succeededFuture();
    }
    List<BudgetLine> lines = costPico > 0 ? plan.budgets(caller, clock.instant()) : List.of();
    return stores.limiter().settle(plan.scopes(caller, requestedModel), tokens, lines, costPico)
        .onSuccess(totals -> alert(lines, totals))
        .onFailure(failure -> failures.onUpdateFailure("usage settlement", failure))
        .<Void>mapEmpty().recover(failure -> Future.succeededFuture());
  }

  /** Queues the usage record of a finished call (written in batches, off the request path). */
  public void record(CompletionEvent event) {
    writer.add(UsageRecord.of(event));
  }

  private void alert(List<BudgetLine> lines, List<Long> totals) {
    for (int i = 0; i < lines.size() && i < totals.size(); i++) {
      BudgetLine line = lines.get(i);
      if (!line.limited() || line.maxPico() == 0) {
        continue;
      }
      BudgetState state = budgets.computeIfAbsent(line.scope(), this::gauges);
      state.periodEnd = line.periodEnd();
      state.ratio = (double) totals.get(i) / line.maxPico();
    }
  }

  private BudgetState gauges(String scope) {
    BudgetState state = new BudgetState();
    int colon = scope.indexOf(':');
    String kind = scope.substring(0, colon);
    String name = scope.substring(colon + 1);
    Gauge.builder("poncho.budget.used.ratio", state, BudgetState::ratio)
        .description("Spend of the current budget period as a fraction of the budget").tag("scope", kind)
        .tag("name", name).register(registry);
    Gauge.builder("poncho.budget.soft.limit.reached", state, s -> s.ratio() >= alertAt ? 1 : 0)
        .description("1 once spend passed limits.budget_alert_at of the budget in this period").tag("scope", kind)
        .tag("name", name).register(registry);
    return state;
  }

  public Future<Void> close() {
    return writer.close();
  }
}

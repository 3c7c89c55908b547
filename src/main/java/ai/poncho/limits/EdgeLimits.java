package ai.poncho.limits;

import ai.poncho.chat.Ids;
import ai.poncho.config.PonchoConfig;
import ai.poncho.cost.Money;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.security.Caller;
import ai.poncho.state.GatewayClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The limit check at the HTTP edge, right after auth and before any bus hop, for every model call:
 * {@code POST /v1/*} (whatever routes exist there) and {@code POST /api/v1/prompts/{name}/execute}; the
 * WebSocket API checks each generation through {@link #admit}. A call over a rate gets 429
 * {@code rate_limit_exceeded} with {@code Retry-After} (and {@code retry-after-ms}); a call whose key or
 * team budget is spent gets 429 {@code insufficient_quota} with {@code x-should-retry: false}. Every
 * limited response carries the x-ratelimit-* headers. The call's token estimate and in-flight slot are
 * released when its response ends, whatever the outcome.
 */
public final class EdgeLimits {

  private static final Pattern PROMPT_EXECUTE = Pattern.compile("/api/v1/prompts/.+/execute");

  private final Vertx vertx;
  private final Limiter limiter;
  private final LimitPlan plan;
  private final TokenEstimator estimator;
  private final StoreFailures failures;
  private final Rejections rejections;
  private final GatewayClock clock;
  private final long windowMs;

  /** A generation admitted by {@link #admit}; {@link #release()} when it ends. */
  public interface Admission {
    Admission NONE = () -> { };

    void release();
  }

  public EdgeLimits(Vertx vertx, PonchoConfig config, Limiter limiter, MeterRegistry registry) {
    this.vertx = vertx;
    this.limiter = limiter;
    this.plan = new LimitPlan(config.limits());
    this.estimator = new TokenEstimator(config.models());
    this.failures = new StoreFailures(config.limits().denyOnStoreFailure(), registry);
    this.rejections = new Rejections(registry);
    this.clock = GatewayClock.of(vertx);
    this.windowMs = config.limits().window().toMillis();
  }

  public LimitPlan plan() {
    return plan;
  }

  public Limiter limiter() {
    return limiter;
  }

  /**
   * Router-level: reads the body of model calls and checks them before their route runs. Mounted on a
   * route without a path, so that matched routes (and the metrics' route label) stay the endpoints' own,
   * and unknown paths stay 404.
   */
  public void mount(Router router, BodyHandler body) {
    router.route().handler(ctx -> {
      if (isModelCall(ctx)) {
        body.handle(ctx);
      } else {
        ctx.next();
      }
    }).handler(ctx -> {
      if (isModelCall(ctx)) {
        handle(ctx);
      } else {
        ctx.next();
      }
    });
  }

  /** {@code POST /v1/*} and {@code POST /api/v1/prompts/{name}/execute}: the calls that reach a model. */
  public static boolean isModelCall(RoutingContext ctx) {
    if (ctx.request().method() != HttpMethod.POST) {
      return false;
    }
    String path = ctx.normalizedPath();
    return path.startsWith("/v1/") || PROMPT_EXECUTE.matcher(path).matches();
  }

  private void handle(RoutingContext ctx) {
    JsonObject json = lenient(ctx.body().buffer());
    check(Caller.of(ctx), json, ctx.body().buffer()).onSuccess(check -> handle(ctx, check)).onFailure(ctx::fail);
  }

  private void handle(RoutingContext ctx, LimitCheck check) {
    if (!check.limitsAnything()) {
      ctx.next();
      return;
    }
    run(check).onComplete(done -> {
      Decision decision = done.result();
      if (check.hasRates()) {
        RateLimitHeaders.apply(ctx.response().headers(), check, decision, windowMs);
      }
      if (decision.allowed()) {
        if (!decision.storeFailed() && check.holdsSomething()) {
          ctx.addEndHandler(end -> release(check));
        }
        ctx.next();
        return;
      }
      refuse(ctx, check, decision);
    });
  }

  /** Checks one WebSocket generation; fails with the 429 error when it is over a limit. */
  public Future<Admission> admit(Caller caller, JsonObject request) {
    return check(caller, request, null).compose(check -> {
      if (!check.limitsAnything()) {
        return Future.succeededFuture(Admission.NONE);
      }
      return run(check).compose(decision -> {
        if (!decision.allowed()) {
          rejections.count(check, decision);
          return Future.failedFuture(error(check, decision).toException());
        }
        return Future.succeededFuture(decision.storeFailed() || !check.holdsSomething() ? Admission.NONE
            : () -> release(check));
      });
    });
  }

  /**
   * The prompt is tokenized only when some scope limits tokens; on a worker while its vocabulary is not
   * read yet (the first estimate reads it, about half a second), on the event loop afterwards.
   */
  private Future<LimitCheck> check(Caller caller, JsonObject json, Buffer raw) {
    String model = json != null && json.getValue("model") instanceof String s ? s : null;
    List<Scope> scopes = plan.scopes(caller, model);
    if (scopes.stream().noneMatch(scope -> scope.rates().tpm() > 0)) {
      return Future.succeededFuture(check(caller, scopes, 0));
    }
    if (json == null) {
      return Future.succeededFuture(check(caller, scopes, raw == null ? 0 : raw.length() / 4));
    }
    if (!estimator.ready(json)) {
      return vertx.executeBlocking(() -> estimator.estimate(json), false).map(tokens -> check(caller, scopes, tokens));
    }
    return Future.succeededFuture(check(caller, scopes, estimator.estimate(json)));
  }

  private LimitCheck check(Caller caller, List<Scope> scopes, int tokens) {
    return new LimitCheck(Ids.random("c"), scopes, tokens, plan.budgets(caller, clock.instant()));
  }

  private Future<Decision> run(LimitCheck check) {
    return limiter.check(check).recover(failure -> Future.succeededFuture(failures.onCheckFailure(failure)));
  }

  private void release(LimitCheck check) {
    limiter.release(check).onFailure(failure -> failures.onUpdateFailure("limit release", failure));
  }

  private void refuse(RoutingContext ctx, LimitCheck check, Decision decision) {
    rejections.count(check, decision);
    if (decision.verdict() == Decision.Verdict.OVER_BUDGET) {
      ctx.response().putHeader("x-should-retry", "false");
    } else {
      long seconds = Math.max(1, (decision.retryAfterMs() + 999) / 1000);
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
          .putHeader("retry-after-ms", Long.toString(Math.max(1, decision.retryAfterMs())));
    }
    ctx.fail(error(check, decision).toException());
  }

  private GatewayError error(LimitCheck check, Decision decision) {
    if (decision.verdict() == Decision.Verdict.OVER_BUDGET) {
      BudgetLine line = check.budgets().stream().filter(l -> l.scope().equals(decision.overBudgetScope()))
          .findFirst().orElse(null);
      String budget = line == null ? "" : " of " + Money.format(line.maxPico()) + " USD";
      return new GatewayError(429, "insufficient_quota", "insufficient_quota", null, "The budget" + budget + " of "
          + describe(decision.overBudgetScope()) + " is spent for this period; calls resume when it resets"
          + (line != null && line.periodEnd() != null ? " at " + line.periodEnd() : "") + ".");
    }
    String retry = RateLimitHeaders.duration(decision.retryAfterMs());
    if (decision.storeFailed()) {
      return GatewayError.of(ErrorKind.RATE_LIMIT, "rate_limit_exceeded", null,
          "Rate limits cannot be checked right now (limit store unavailable, limits.on_store_failure: deny); "
              + "please try again in " + retry + ".");
    }
    return GatewayError.of(ErrorKind.RATE_LIMIT, "rate_limit_exceeded", null,
        "Rate limit reached: " + exceeded(check, decision) + ". Please try again in " + retry + ".");
  }

  /** Which limit stopped the call, e.g. "requests per minute of key key_1: limit 60, used 60". */
  private String exceeded(LimitCheck check, Decision decision) {
    Exceeded exceeded = Exceeded.of(check, decision);
    if (exceeded.scope() == null) {
      return "concurrent calls in flight (max_parallel)";
    }
    Rates rates = exceeded.scope().rates();
    Decision.ScopeState state = exceeded.state();
    if (exceeded.limit().equals(Exceeded.RPM)) {
      return "requests per minute of " + describe(exceeded.scope().id()) + ": limit " + rates.rpm() + ", used "
          + state.requests();
    }
    return "tokens per minute of " + describe(exceeded.scope().id()) + ": limit " + rates.tpm() + ", used "
        + state.tokens() + ", requested " + check.tokens();
  }

  private static String describe(String scope) {
    if (scope == null) {
      return "this caller";
    }
    int colon = scope.indexOf(':');
    return colon < 0 ? scope + " caller" : scope.substring(0, colon) + " " + scope.substring(colon + 1);
  }

  private static JsonObject lenient(Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    try {
      return Json.decodeValue(body) instanceof JsonObject json ? json : null;
    } catch (RuntimeException e) {
      return null;
    }
  }
}

package ai.poncho.state;

import ai.poncho.config.StateConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The Redis connection of one verticle: every call is bounded by {@code state.redis.timeout} and fails
 * with {@link StateUnavailableException}, so no caller waits on a slow or dead Redis.
 */
public final class RedisState {

  private final Redis redis;
  private final long timeoutMs;

  private RedisState(Redis redis, long timeoutMs) {
    this.redis = redis;
    this.timeoutMs = timeoutMs;
  }

  public static RedisState create(Vertx vertx, StateConfig config) {
    long timeoutMs = config.redisTimeout().toMillis();
    RedisOptions options = new RedisOptions().setConnectionString(config.redisUrl())
        // With tracing on, each command of a traced request is a span of its trace (none otherwise).
        .setTracingPolicy(TracingPolicy.PROPAGATE).setMaxPoolSize(config.redisPoolSize()).setMaxPoolWaiting(1024).setMaxWaitingHandlers(4096)
        .setNetClientOptions(new NetClientOptions().setConnectTimeout((int) timeoutMs).setTcpNoDelay(true)
            .setTcpKeepAlive(true));
    return new RedisState(Redis.createClient(vertx, options), timeoutMs);
  }

  public Future<Response> send(Request request) {
    return bounded(redis.send(request), request.command().toString().toUpperCase(Locale.ROOT));
  }

  public Future<List<Response>> batch(List<Request> requests) {
    return bounded(redis.batch(requests), "batch");
  }

  /** Runs a Lua script atomically: by its SHA when Redis has it cached, else by its text (which caches it). */
  public Future<Response> eval(LuaScript script, List<String> keys, List<String> args) {
    return bounded(redis.send(script.request(Command.EVALSHA, script.sha(), keys, args))
        .recover(failure -> failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT")
            ? redis.send(script.request(Command.EVAL, script.source(), keys, args))
            : Future.failedFuture(failure)), "script " + script.name());
  }

  /** Whether Redis answers PING within the timeout; for readiness. */
  public Future<Void> ping() {
    return send(Request.cmd(Command.PING)).mapEmpty();
  }

  public Future<Void> close() {
    return redis.close();
  }

  private <T> Future<T> bounded(Future<T> call, String what) {
    return call.timeout(timeoutMs, TimeUnit.MILLISECONDS).recover(failure -> Future.failedFuture(
        new StateUnavailableException("Redis " + what + " failed: " + failure.getMessage(), failure)));
  }
}

package ai.poncho.http;

import ai.poncho.bus.Addresses;
import ai.poncho.cluster.NodeWatch;
import ai.poncho.security.AccessControl;
import ai.poncho.state.RedisState;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import java.util.List;

/**
 * Liveness (the process answers) and readiness ({@code /health/ready}, and {@code /health}, the original
 * framework's path, with the same full report): named checks, each bounded in time (a check that does not
 * finish within 2 s is DOWN; the endpoint never waits longer), each with its status and data:
 * <ul>
 *   <li>{@code dispatch}, {@code prompt}, {@code metrics}: the verticle answers its ping somewhere in the
 *       cluster. Every check that asks over the bus retries within its timeout (see {@link #request}):
 *       a node that lost one of two dispatch peers stays ready. A draining dispatcher stops answering.</li>
 *   <li>{@code key-store} (keys on Redis) and {@code redis} ({@code state.backend: redis}): Redis answers.</li>
 *   <li>{@code prompts}: the prompt library; files that fail to load are listed (UP: the last good
 *       version, or none, serves).</li>
 *   <li>{@code providers}: every deployment's breaker; open ones are listed as degraded, and the check
 *       is DOWN only when no deployment of any model can take a call.</li>
 *   <li>{@code cluster} (when clustered): this node and the members it sees.</li>
 * </ul>
 */
public final class HealthRoutes {

  private static final List<String> VERTICLES = List.of("dispatch", "prompt", "metrics");
  private static final long PING_TIMEOUT_MS = 1000;
  private static final long CHECK_TIMEOUT_MS = PING_TIMEOUT_MS * 2;
  private static final long BACKSTOP_MS = 1000;
  private static final int PING_ATTEMPTS = 3;

  private HealthRoutes() {
  }

  public static HealthCheckHandler live(Vertx vertx) {
    return HealthCheckHandler.create(vertx).register("server", promise -> promise.complete(Status.OK()));
  }

  /**
   * The readiness report; {@code redis} is the shared state's connection ({@code state.backend: redis}),
   * null otherwise. A node whose Redis does not answer is not ready (limits then follow
   * limits.on_store_failure).
   */
  public static HealthCheckHandler ready(Vertx vertx, AccessControl access, RedisState redis) {
    HealthCheckHandler handler = HealthCheckHandler.create(vertx);
    if (access.sharedStore()) {
      // Keys validated before stay usable from the local cache, but new keys cannot be checked: not ready.
      register(vertx, handler, "key-store", promise -> access.ping()
          .onComplete(ping -> promise.complete(ping.succeeded() ? Status.OK()
              : Status.KO(new JsonObject().put("backend", "redis").put("error", "Redis does not answer")))));
    }
    if (redis != null) {
      register(vertx, handler, "redis", promise -> redis.ping().onComplete(ping -> promise.complete(
          ping.succeeded() ? Status.OK() : Status.KO(new JsonObject().put("error", ping.cause().getMessage())))));
    }
    for (String verticle : VERTICLES) {
      register(vertx, handler, verticle, promise -> ping(vertx, verticle, promise));
    }
    register(vertx, handler, "prompts", promise -> HealthRoutes.<JsonObject>request(vertx, Addresses.PROMPT_HEALTH)
        .onComplete(reply -> promise.complete(reply.succeeded() ? Status.OK(reply.result())
            : Status.KO(new JsonObject().put("error", "prompt execution does not answer")))));
    register(vertx, handler, "providers", promise -> HealthRoutes.<JsonObject>request(vertx,
        Addresses.DISPATCH_BREAKERS).onComplete(reply -> promise.complete(reply.succeeded() ? providers(reply.result())
        : Status.KO(new JsonObject().put("error", "model dispatch does not answer")))));
    if (vertx.isClustered()) {
      register(vertx, handler, "cluster", promise -> {
        JsonObject members = NodeWatch.members(vertx);
        promise.complete(members.getBoolean("active") ? Status.OK(members) : Status.KO(members));
      });
    }
    return handler;
  }

  /**
   * Registers {@code check}, DOWN with an {@code error} when it has not answered within the bound (the
   * library's own timeout, kept as a backstop, would answer 500 instead of 503).
   */
  private static void register(Vertx vertx, HealthCheckHandler handler, String name, Handler<Promise<Status>> check) {
    handler.register(name, CHECK_TIMEOUT_MS + BACKSTOP_MS, promise -> {
      long timer = vertx.setTimer(CHECK_TIMEOUT_MS, id -> promise.tryComplete(Status.KO(
          new JsonObject().put("error", "no answer within " + CHECK_TIMEOUT_MS + " ms"))));
      Promise<Status> result = Promise.promise();
      result.future().onComplete(done -> {
        vertx.cancelTimer(timer);
        promise.tryComplete(done.succeeded() ? done.result()
            : Status.KO(new JsonObject().put("error", String.valueOf(done.cause().getMessage()))));
      });
      check.handle(result);
    });
  }

  /**
   * UP while any deployment of any model can take a call; data: each deployment's state (flat, by
   * deployment id), the same by model, and {@code degraded}: the deployments that cannot, or only on trial
   * (half-open).
   */
  private static Status providers(JsonObject byModel) {
    JsonObject deployments = new JsonObject();
    JsonArray degraded = new JsonArray();
    int usable = 0;
    for (String model : byModel.fieldNames()) {
      for (var entry : byModel.getJsonObject(model)) {
        String state = (String) entry.getValue();
        deployments.put(entry.getKey(), state);
        if (!"CLOSED".equals(state)) {
          degraded.add(entry.getKey());
        }
        if ("CLOSED".equals(state) || "HALF_OPEN".equals(state)) {
          usable++;
        }
      }
    }
    JsonObject data = new JsonObject().put("state", degraded.isEmpty() ? "ok" : usable > 0 ? "degraded" : "unusable")
        .put("deployments", deployments).put("degraded", degraded).put("models", byModel);
    return usable > 0 || deployments.isEmpty() ? Status.OK(data) : Status.KO(data);
  }

  /**
   * Asks {@code address} (empty body). A request the bus routed to a node that has just died gets no
   * answer, so on a cluster it is sent a few times (the bus sends each to the next node in turn), all
   * within the check's timeout.
   */
  private static <T> Future<T> request(Vertx vertx, String address) {
    boolean clustered = vertx.isClustered();
    DeliveryOptions options = new DeliveryOptions()
        .setSendTimeout(clustered ? CHECK_TIMEOUT_MS / (PING_ATTEMPTS + 1) : PING_TIMEOUT_MS);
    return request(vertx, address, options, clustered ? PING_ATTEMPTS : 1);
  }

  private static void ping(Vertx vertx, String verticle, Promise<Status> promise) {
    request(vertx, Addresses.ping(verticle)).onComplete(reply -> promise.complete(
        reply.succeeded() ? Status.OK() : Status.KO(new JsonObject().put("error", pingFailure(reply.cause())))));
  }

  private static String pingFailure(Throwable failure) {
    return failure instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
        ? "not deployed on any node" : "no answer within " + PING_TIMEOUT_MS + " ms";
  }

  private static <T> Future<T> request(Vertx vertx, String address, DeliveryOptions options, int attempts) {
    Future<T> reply = vertx.eventBus().<T>request(address, null, options).map(Message::body);
    if (attempts <= 1) {
      return reply;
    }
    return reply.recover(failure -> failure instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
        ? Future.failedFuture(failure) : request(vertx, address, options, attempts - 1));
  }
}

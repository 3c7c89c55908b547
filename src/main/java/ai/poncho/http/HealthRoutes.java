package ai.poncho.http;

import ai.poncho.bus.Addresses;
import ai.poncho.security.AccessControl;
import ai.poncho.state.RedisState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import java.util.List;

/**
 * Liveness (the process answers) and readiness: every verticle answers its ping somewhere in the
 * cluster. A ping the bus routed to a node that has just died gets no answer, so each check pings a
 * few times (the bus sends each to the next node in turn): a node that lost one of two dispatch peers
 * stays ready. Other capabilities add their own readiness procedures here.
 */
public final class HealthRoutes {

  private static final List<String> VERTICLES = List.of("dispatch", "prompt", "metrics");
  private static final long PING_TIMEOUT_MS = 1000;
  private static final int PING_ATTEMPTS = 3;

  private HealthRoutes() {
  }

  public static HealthCheckHandler live(Vertx vertx) {
    return HealthCheckHandler.create(vertx).register("server", promise -> promise.complete(Status.OK()));
  }

  /**
   * With {@code redis} (state.backend: redis, the limits' connection), the {@code state} check pings it: a
   * node whose Redis does not answer is not ready (limits then follow limits.on_store_failure).
   */
  public static HealthCheckHandler ready(Vertx vertx, AccessControl access, RedisState redis) {
    HealthCheckHandler handler = ready(vertx, access);
    if (redis != null) {
      handler.register("state", PING_TIMEOUT_MS * 2, promise -> redis.ping().onComplete(ping -> promise.complete(
          ping.succeeded() ? Status.OK() : Status.KO(new JsonObject().put("redis", ping.cause().getMessage())))));
    }
    return handler;
  }

  public static HealthCheckHandler ready(Vertx vertx, AccessControl access) {
    HealthCheckHandler handler = HealthCheckHandler.create(vertx);
    if (access.sharedStore()) {
      // Keys validated before stay usable from the local cache, but new keys cannot be checked: not ready.
      handler.register("key-store", PING_TIMEOUT_MS * 2, promise -> access.ping()
          .onComplete(ping -> promise.complete(ping.succeeded() ? Status.OK()
              : Status.KO(new JsonObject().put("backend", "redis").put("error", "Redis does not answer")))));
    }
    DeliveryOptions ping = new DeliveryOptions().setSendTimeout(PING_TIMEOUT_MS);
    DeliveryOptions retryPing = new DeliveryOptions().setSendTimeout(PING_TIMEOUT_MS * 2 / (PING_ATTEMPTS + 1));
    for (String verticle : VERTICLES) {
      handler.register(verticle, PING_TIMEOUT_MS * 2, promise -> ping(vertx, Addresses.ping(verticle),
          vertx.isClustered() ? retryPing : ping, vertx.isClustered() ? PING_ATTEMPTS : 1)
          .onComplete(reply -> promise.complete(reply.succeeded() ? Status.OK() : Status.KO())));
    }
    // An open breaker degrades one model, not the node: it is reported as data while the check stays UP.
    handler.register("circuit-breakers", PING_TIMEOUT_MS * 2, promise -> vertx.eventBus()
        .<JsonObject>request(Addresses.DISPATCH_BREAKERS, null, ping)
        .onComplete(reply -> {
          JsonObject states = reply.succeeded() ? reply.result().body() : new JsonObject();
          JsonArray open = new JsonArray();
          states.forEach(entry -> {
            if (!"CLOSED".equals(entry.getValue())) {
              open.add(entry.getKey());
            }
          });
          promise.complete(Status.OK(new JsonObject().put("deployments", states).put("degraded", open)));
        }));
    return handler;
  }

  private static Future<Object> ping(Vertx vertx, String address, DeliveryOptions options, int attempts) {
    Future<Object> reply = vertx.eventBus().request(address, null, options).map(Message::body);
    if (attempts <= 1) {
      return reply;
    }
    return reply.recover(failure -> failure instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
        ? Future.failedFuture(failure) : ping(vertx, address, options, attempts - 1));
  }
}

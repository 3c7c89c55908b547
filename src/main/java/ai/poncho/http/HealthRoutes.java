package ai.poncho.http;

import ai.poncho.bus.Addresses;
import ai.poncho.state.RedisState;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import java.util.List;

/**
 * Liveness (the process answers) and readiness: every verticle answers its ping somewhere in the
 * cluster. Other capabilities add their own readiness procedures here.
 */
public final class HealthRoutes {

  private static final List<String> VERTICLES = List.of("dispatch", "prompt", "metrics");
  private static final long PING_TIMEOUT_MS = 1000;

  private HealthRoutes() {
  }

  public static HealthCheckHandler live(Vertx vertx) {
    return HealthCheckHandler.create(vertx).register("server", promise -> promise.complete(Status.OK()));
  }

  /**
   * With {@code redis} (state.backend: redis), the {@code state} check pings it: a node whose Redis does
   * not answer is not ready (limits then follow limits.on_store_failure).
   */
  public static HealthCheckHandler ready(Vertx vertx, RedisState redis) {
    HealthCheckHandler handler = ready(vertx);
    if (redis != null) {
      handler.register("state", PING_TIMEOUT_MS * 2, promise -> redis.ping().onComplete(ping -> promise.complete(
          ping.succeeded() ? Status.OK() : Status.KO(new JsonObject().put("redis", ping.cause().getMessage())))));
    }
    return handler;
  }

  public static HealthCheckHandler ready(Vertx vertx) {
    HealthCheckHandler handler = HealthCheckHandler.create(vertx);
    DeliveryOptions ping = new DeliveryOptions().setSendTimeout(PING_TIMEOUT_MS);
    for (String verticle : VERTICLES) {
      handler.register(verticle, PING_TIMEOUT_MS * 2, promise -> vertx.eventBus()
          .request(Addresses.ping(verticle), null, ping)
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
}

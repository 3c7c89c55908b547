package ai.poncho.http;

import ai.poncho.bus.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code DELETE /api/v1/cache} (every cached answer) and {@code DELETE /api/v1/cache?model=<name>} (one
 * model's): answers {@code {"object":"cache.purge","model":…,"deleted":n}}. Admin only.
 */
final class CacheHandler {

  static final String PATH = "/api/v1/cache";

  private final Vertx vertx;
  private final DeliveryOptions delivery;

  CacheHandler(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.delivery = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  void purge(RoutingContext ctx) {
    String model = ctx.queryParams().get("model");
    if (model != null && model.isBlank()) {
      model = null;
    }
    String target = model;
    vertx.eventBus().<JsonObject>request(Addresses.CACHE_PURGE, new JsonObject().put("model", target), delivery)
        .onSuccess(reply -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(new JsonObject().put("object", "cache.purge").put("model", target)
                .put("deleted", reply.body().getLong("deleted", 0L)).toBuffer()))
        .onFailure(ctx::fail);
  }
}

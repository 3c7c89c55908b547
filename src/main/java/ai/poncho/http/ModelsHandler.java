package ai.poncho.http;

import ai.poncho.bus.Addresses;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.security.AuthErrors;
import ai.poncho.security.Caller;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}} from the dispatch verticle's registry. */
public final class ModelsHandler {

  private final Vertx vertx;

  public ModelsHandler(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Lists only the models the caller's key may use. */
  public void list(RoutingContext ctx) {
    Caller caller = Caller.of(ctx);
    models().onSuccess(data -> {
      JsonArray allowed = new JsonArray();
      data.stream().map(JsonObject.class::cast).filter(model -> caller.mayUse(model.getString("id")))
          .forEach(allowed::add);
      json(ctx, new JsonObject().put("object", "list").put("data", allowed));
    }).onFailure(ctx::fail);
  }

  public void get(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!Caller.of(ctx).mayUse(id)) {
      ctx.fail(AuthErrors.modelNotAllowed(id));
      return;
    }
    models().onSuccess(data -> data.stream().map(JsonObject.class::cast)
            .filter(model -> model.getString("id").equals(id)).findFirst()
            .ifPresentOrElse(model -> json(ctx, model), () -> ctx.fail(GatewayError.of(ErrorKind.NOT_FOUND,
                "model_not_found", "model", "The model '" + id + "' does not exist or you do not have access to it.")
                .toException())))
        .onFailure(ctx::fail);
  }

  private Future<JsonArray> models() {
    return vertx.eventBus().<JsonArray>request(Addresses.DISPATCH_MODELS, null).map(reply -> reply.body());
  }

  private static void json(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
  }
}

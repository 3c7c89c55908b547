package ai.poncho.http;

import ai.poncho.bus.Addresses;
import ai.poncho.bus.EmbeddingDispatch;
import ai.poncho.bus.GuardedCall;
import ai.poncho.cache.CacheControl;
import ai.poncho.chat.Ids;
import ai.poncho.chat.Usage;
import ai.poncho.config.PonchoConfig;
import ai.poncho.embedding.EmbeddingJson;
import ai.poncho.embedding.EmbeddingRequest;
import ai.poncho.embedding.EmbeddingResponse;
import ai.poncho.logging.RequestLog;
import ai.poncho.security.AuthErrors;
import ai.poncho.security.Caller;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /v1/embeddings}: validates the OpenAI request, dispatches it over the bus (retries,
 * fallbacks, metrics and the response cache as for chat) and answers in OpenAI's shape, floats or base64.
 * A client that leaves cancels the upstream call. The call is guarded like a completion ({@link GuardedCall}):
 * handed to another dispatch node if none took it, failed at once with {@code node_lost} if its node dies.
 */
public final class EmbeddingsHandler {

  private final Vertx vertx;
  private final DeliveryOptions delivery;

  public EmbeddingsHandler(Vertx vertx, PonchoConfig config) {
    this.vertx = vertx;
    this.delivery = new DeliveryOptions().setSendTimeout(config.http().requestTimeout().toMillis());
  }

  public void handle(RoutingContext ctx) {
    EmbeddingRequest request = EmbeddingJson.request(JsonBody.object(ctx));
    if (!Caller.of(ctx).mayUse(request.model())) {
      throw AuthErrors.modelNotAllowed(request.model());
    }
    EmbeddingDispatch dispatch = new EmbeddingDispatch(RequestContext.id(ctx), Ids.random("call_"), Caller.of(ctx),
        request, CacheControl.of(ctx));
    GuardedCall<EmbeddingResponse> guarded = GuardedCall.request(vertx, Addresses.DISPATCH_EMBED, dispatch.callId(),
        dispatch::forAttempt, delivery, true);
    ctx.response().closeHandler(v -> guarded.cancel());
    guarded.reply()
        .onSuccess(reply -> {
          EmbeddingResponse response = reply.body();
          RequestLog.usage(Usage.of(response.promptTokens(), 0));
          CostHeaders.apply(reply, ctx.response());
          ChatCompletionsHandler.cacheHeader(ctx, reply.headers().get(Addresses.CACHE_HEADER));
          GatewayOverhead.answered(ctx, reply);
          ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
              .putHeader(ChatCompletionsHandler.MODEL_HEADER, response.model())
              .end(response.toJson(request.base64()).toBuffer());
        })
        .onFailure(ctx::fail);
  }
}

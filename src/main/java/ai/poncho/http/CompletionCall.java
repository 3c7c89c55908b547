package ai.poncho.http;

import ai.poncho.bus.DispatchRequest;
import ai.poncho.bus.GuardedCall;
import ai.poncho.cache.CacheControl;
import ai.poncho.chat.ChatRequest;
import ai.poncho.chat.ChatResponse;
import ai.poncho.chat.Ids;
import ai.poncho.logging.RequestLog;
import ai.poncho.security.Caller;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.ext.web.RoutingContext;

/**
 * Sends a non-streamed completion over the bus, guarded against the loss of the node that takes it
 * ({@link GuardedCall}: handed to another node if none took it, failed at once if its node dies). A
 * client that goes away before the answer cancels the upstream call, as a closed stream does, instead
 * of leaving it to run (and be billed) for nobody.
 */
public final class CompletionCall {

  private CompletionCall() {
  }

  public static Future<Message<ChatResponse>> send(Vertx vertx, RoutingContext ctx, String address, ChatRequest request,
                                            DeliveryOptions delivery) {
    DispatchRequest call = new DispatchRequest(RequestContext.id(ctx), Ids.random("call_"), Caller.of(ctx),
        request).withCache(CacheControl.of(ctx));
    GuardedCall<ChatResponse> guarded = GuardedCall.request(vertx, address, call.callId(), call::forAttempt,
        delivery, true);
    ctx.response().closeHandler(v -> guarded.cancel());
    return guarded.reply().onSuccess(reply -> RequestLog.usage(reply.body().usage()));
  }
}

package ai.poncho.http;

import ai.poncho.bus.Addresses;
import ai.poncho.bus.DispatchRequest;
import ai.poncho.chat.ChatRequest;
import ai.poncho.chat.ChatResponse;
import ai.poncho.chat.Ids;
import ai.poncho.security.Caller;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.ext.web.RoutingContext;

/**
 * Sends a non-streamed completion over the bus. A client that goes away before the answer cancels the
 * upstream call, as a closed stream does, instead of leaving it to run (and be billed) for nobody.
 */
final class CompletionCall {

  private CompletionCall() {
  }

  static Future<Message<ChatResponse>> send(Vertx vertx, RoutingContext ctx, String address, ChatRequest request,
                                            DeliveryOptions delivery) {
    String callId = Ids.random("call_");
    ctx.response().closeHandler(v -> vertx.eventBus().publish(Addresses.DISPATCH_CANCEL, callId));
    return vertx.eventBus().request(address, new DispatchRequest(RequestContext.id(ctx), callId, Caller.of(ctx), request),
        delivery);
  }
}

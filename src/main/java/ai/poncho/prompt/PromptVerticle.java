package ai.poncho.prompt;

import ai.poncho.bus.Addresses;
import ai.poncho.bus.BusCodecs;
import ai.poncho.bus.DispatchRequest;
import ai.poncho.bus.Replies;
import ai.poncho.bus.StreamOpen;
import ai.poncho.config.PonchoConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;

/**
 * Prompt execution: requests for {@code prompt:<name>} models arrive here and go on to dispatch.
 * Streams keep the caller's sink, so chunks flow from dispatch to the caller directly.
 */
public final class PromptVerticle extends VerticleBase {

  private EventBus bus;
  private DeliveryOptions delivery;

  @Override
  public Future<?> start() {
    BusCodecs.register(vertx);
    delivery = new DeliveryOptions().setSendTimeout(PonchoConfig.from(config()).http().requestTimeout().toMillis());
    bus = vertx.eventBus();
    return Future.all(
        bus.<DispatchRequest>consumer(Addresses.PROMPT_COMPLETE, this::complete).completion(),
        bus.<StreamOpen>consumer(Addresses.PROMPT_STREAM, this::stream).completion(),
        bus.consumer(Addresses.ping("prompt"), message -> message.reply("ok")).completion());
  }

  private void complete(Message<DispatchRequest> message) {
    forward(message, Addresses.DISPATCH_COMPLETE, message.body());
  }

  private void stream(Message<StreamOpen> message) {
    forward(message, Addresses.DISPATCH_STREAM, message.body());
  }

  private void forward(Message<?> message, String address, Object body) {
    bus.request(address, body, delivery).onComplete(reply -> {
      if (reply.succeeded()) {
        message.reply(reply.result().body());
      } else {
        Replies.fail(message, reply.cause());
      }
    });
  }
}

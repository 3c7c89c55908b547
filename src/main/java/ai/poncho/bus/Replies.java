package ai.poncho.bus;

import ai.poncho.error.Errors;
import ai.poncho.error.GatewayError;
import io.vertx.core.eventbus.Message;

/** Fails a request message the one way every consumer does: HTTP status as code, the error as JSON. */
public final class Replies {

  private Replies() {
  }

  public static GatewayError fail(Message<?> message, Throwable failure) {
    GatewayError error = Errors.toGatewayError(failure);
    message.fail(error.status(), error.toJson().encode());
    return error;
  }
}

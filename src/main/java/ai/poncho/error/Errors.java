package ai.poncho.error;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/** Turns any failure into the {@link GatewayError} a client sees; nothing internal leaks. */
public final class Errors {

  /** Status 499 as nginx uses it: the client closed the request; nothing retries it. */
  public static final GatewayError CLIENT_CLOSED = new GatewayError(499, "invalid_request_error",
      "client_closed_request", null, "The client closed the request before it completed.");

  private Errors() {
  }

  public static GatewayError toGatewayError(Throwable failure) {
    if (failure instanceof GatewayException ge) {
      return ge.error();
    }
    if (failure instanceof ReplyException re) {
      return fromReply(re);
    }
    // Upstream connections' failures are mapped by the providers: one that reaches here is the
    // client's own connection, closed while its body was being read.
    if (failure instanceof HttpClosedException) {
      return CLIENT_CLOSED;
    }
    if (failure instanceof DecodeException) {
      return GatewayError.of(ErrorKind.INVALID_REQUEST, "invalid_json", null,
          "We could not parse the JSON body of your request.");
    }
    return GatewayError.of(ErrorKind.INTERNAL, "internal_error", null, "The server had an internal error.");
  }

  /** Reply failures carry the error as JSON in the message; bus-level failures get their own meaning. */
  private static GatewayError fromReply(ReplyException re) {
    if (re.failureType() == ReplyFailure.TIMEOUT) {
      return GatewayError.of(ErrorKind.TIMEOUT, "timeout", null, "The request timed out inside the gateway.");
    }
    if (re.failureType() == ReplyFailure.NO_HANDLERS) {
      return GatewayError.of(ErrorKind.SERVICE_UNAVAILABLE, "service_unavailable", null,
          "No service is available to handle this request.");
    }
    String message = re.getMessage();
    if (message != null && message.startsWith("{")) {
      try {
        return GatewayError.fromJson(new JsonObject(message));
      } catch (DecodeException ignored) {
        // fall through to the generic mapping
      }
    }
    return GatewayError.of(ErrorKind.INTERNAL, "internal_error", null, "The server had an internal error.");
  }
}

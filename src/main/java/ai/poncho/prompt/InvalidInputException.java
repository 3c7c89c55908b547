package ai.poncho.prompt;

import ai.poncho.error.GatewayError;
import io.vertx.core.json.JsonArray;

/** Input that violates a prompt's input schema: the 400 error plus every violation as details. */
final class InvalidInputException extends RuntimeException {

  private final GatewayError error;
  private final JsonArray details;

  InvalidInputException(GatewayError error, JsonArray details) {
    super(error.message(), null, false, false);
    this.error = error;
    this.details = details;
  }

  GatewayError error() {
    return error;
  }

  JsonArray details() {
    return details;
  }
}

package ai.poncho.prompt;

import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.error.GatewayException;

/** Failures of prompt loading and rendering, each already in the form a client sees. */
final class PromptException {

  private PromptException() {
  }

  static GatewayException invalid(String code, String param, String message) {
    return GatewayError.of(ErrorKind.INVALID_REQUEST, code, param, message).toException();
  }

  static GatewayException notFound(String name) {
    return GatewayError.of(ErrorKind.NOT_FOUND, "prompt_not_found", "model",
        "The prompt '" + name + "' does not exist.").toException();
  }

  static GatewayException tooLarge(String message) {
    return GatewayError.of(ErrorKind.PAYLOAD_TOO_LARGE, "prompt_limit_exceeded", null, message).toException();
  }

  static GatewayException timeout(String message) {
    return GatewayError.of(ErrorKind.TIMEOUT, "prompt_render_timeout", null, message).toException();
  }
}

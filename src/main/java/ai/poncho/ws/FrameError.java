package ai.poncho.ws;

import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;

/**
 * A client frame that cannot be acted on: answered with an error frame (carrying the frame's id when it
 * had one). {@code protocolViolation} marks malformed frames, which count towards closing the socket
 * with 1008; a well-formed frame with an invalid chat request does not.
 */
final class FrameError extends RuntimeException {

  private final String id;
  private final transient GatewayError error;
  private final boolean protocolViolation;

  FrameError(String id, GatewayError error, boolean protocolViolation) {
    super(error.message(), null, false, false);
    this.id = id;
    this.error = error;
    this.protocolViolation = protocolViolation;
  }

  static FrameError malformed(String id, String code, String param, String message) {
    return new FrameError(id, GatewayError.of(ErrorKind.INVALID_REQUEST, code, param, message), true);
  }

  String id() {
    return id;
  }

  GatewayError error() {
    return error;
  }

  boolean protocolViolation() {
    return protocolViolation;
  }
}

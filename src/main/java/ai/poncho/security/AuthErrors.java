package ai.poncho.security;

import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.error.GatewayException;

/** The access-control errors, OpenAI style. None of them ever names the presented key. */
public final class AuthErrors {

  public static final String TOO_MANY_FAILURES = "too_many_failed_auth_attempts";

  private AuthErrors() {
  }

  public static GatewayException missingKey() {
    return invalidKey("You didn't provide an API key. Send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'.");
  }

  public static GatewayException unknownKey() {
    return invalidKey("Incorrect API key provided.");
  }

  public static GatewayException expired() {
    return invalidKey("This API key has expired.");
  }

  public static GatewayException disabled() {
    return invalidKey("This API key is disabled.");
  }

  public static GatewayException rotatedAway() {
    return invalidKey("This API key was rotated and its grace period is over; use the new key.");
  }

  public static GatewayException tooManyFailures(long retryAfterSeconds) {
    return new GatewayError(429, ErrorKind.RATE_LIMIT.type(), TOO_MANY_FAILURES, null,
        "Too many failed authentication attempts from this address; retry in " + retryAfterSeconds + "s.")
        .toException();
  }

  public static GatewayException unavailable() {
    return GatewayError.of(ErrorKind.SERVICE_UNAVAILABLE, "auth_unavailable", null,
        "The API key store is not reachable; try again shortly.").toException();
  }

  public static GatewayException insufficient(String message) {
    return GatewayError.of(ErrorKind.FORBIDDEN, "insufficient_permissions", null, message).toException();
  }

  public static GatewayException modelNotAllowed(String model) {
    return GatewayError.of(ErrorKind.FORBIDDEN, "model_not_allowed", "model",
        "This API key may not use the model '" + model + "'.").toException();
  }

  private static GatewayException invalidKey(String message) {
    return new GatewayError(401, ErrorKind.INVALID_REQUEST.type(), "invalid_api_key", null, message).toException();
  }
}

package ai.poncho.state;

/**
 * The shared-state store did not answer in time or refused the call. Each caller applies its documented
 * policy (deny, allow, treat as a cache miss, answer 503); the message never contains key material.
 */
public final class StateUnavailableException extends RuntimeException {

  public StateUnavailableException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}

package ai.poncho.error;

/** Carries a {@link GatewayError} through future chains; cheap to create (no stack trace). */
public final class GatewayException extends RuntimeException {

  private final GatewayError error;

  public GatewayException(GatewayError error) {
    super(error.message(), null, false, false);
    this.error = error;
  }

  public GatewayError error() {
    return error;
  }
}

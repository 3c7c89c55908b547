package ai.poncho.provider.http;

import ai.poncho.error.GatewayError;
import ai.poncho.error.GatewayException;

/**
 * An upstream refused or failed a call before anything reached the client: the error the client
 * would see, whether a retry may help, and how long the upstream asked us to wait ({@code Retry-After}).
 */
public final class UpstreamException extends RuntimeException {

  private final GatewayError error;
  private final boolean retryable;
  private final long retryAfterMs;

  public UpstreamException(GatewayError error, boolean retryable, long retryAfterMs) {
    super(error.message(), null, false, false);
    this.error = error;
    this.retryable = retryable;
    this.retryAfterMs = retryAfterMs;
  }

  public GatewayError error() {
    return error;
  }

  public boolean retryable() {
    return retryable;
  }

  /** Milliseconds the upstream asked for, or -1 when it did not say. */
  public long retryAfterMs() {
    return retryAfterMs;
  }

  public GatewayException toGatewayException() {
    return new GatewayException(error);
  }
}

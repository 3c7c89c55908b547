package ai.poncho.error;

/**
 * Failure classes, as the original framework classified them, each mapped to the HTTP status and
 * OpenAI error {@code type} a client sees.
 */
public enum ErrorKind {
  INVALID_REQUEST(400, "invalid_request_error"),
  UNAUTHORIZED(401, "authentication_error"),
  FORBIDDEN(403, "permission_error"),
  NOT_FOUND(404, "invalid_request_error"),
  METHOD_NOT_ALLOWED(405, "invalid_request_error"),
  PAYLOAD_TOO_LARGE(413, "invalid_request_error"),
  UNSUPPORTED_MEDIA_TYPE(415, "invalid_request_error"),
  RATE_LIMIT(429, "rate_limit_error"),
  SERVER_ERROR(502, "server_error"),
  SERVICE_UNAVAILABLE(503, "service_unavailable_error"),
  TIMEOUT(504, "timeout_error"),
  NETWORK(502, "network_error"),
  INTERNAL(500, "server_error");

  private final int status;
  private final String type;

  ErrorKind(int status, String type) {
    this.status = status;
    this.type = type;
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  /** Whether a retry (or a fallback model) may succeed where this failure happened. */
  public boolean retryable() {
    return switch (this) {
      case RATE_LIMIT, SERVER_ERROR, SERVICE_UNAVAILABLE, TIMEOUT, NETWORK -> true;
      default -> false;
    };
  }

  /** Classifies an upstream HTTP status. */
  public static ErrorKind ofUpstreamStatus(int status) {
    return switch (status) {
      case 400, 422 -> INVALID_REQUEST;
      case 401 -> UNAUTHORIZED;
      case 403 -> FORBIDDEN;
      case 404 -> NOT_FOUND;
      case 408, 504 -> TIMEOUT;
      case 413 -> PAYLOAD_TOO_LARGE;
      case 429 -> RATE_LIMIT;
      case 503, 529 -> SERVICE_UNAVAILABLE;
      default -> status >= 500 || status == 449 ? SERVER_ERROR : INVALID_REQUEST;
    };
  }
}

package ai.poncho.error;

import io.vertx.core.json.JsonObject;

/**
 * Gateway errors in Anthropic's shape {@code {"type":"error","error":{"type","message"},"request_id"}}
 * with Anthropic's statuses: an unavailable model (503) is {@code overloaded_error} with 529, as
 * Anthropic reports overload, so Anthropic SDKs raise their OverloadedError and retry it.
 */
public final class AnthropicErrors {

  /** Anthropic's status for an overloaded API. */
  public static final int OVERLOADED = 529;

  /** The routes of the Anthropic API, whose every failure (auth, limits, 404, 413...) has Anthropic's shape. */
  public static final String PATH_PREFIX = "/v1/messages";

  private AnthropicErrors() {
  }

  public static boolean covers(String path) {
    return path != null && (path.equals(PATH_PREFIX) || path.startsWith(PATH_PREFIX + "/"));
  }

  public static int status(GatewayError error) {
    return error.status() == 503 ? OVERLOADED : error.status();
  }

  public static String type(GatewayError error) {
    return switch (error.status()) {
      case 401 -> "authentication_error";
      case 402 -> "billing_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 503, 529 -> "overloaded_error";
      case 504 -> "timeout_error";
      default -> error.status() >= 500 ? "api_error" : "invalid_request_error";
    };
  }

  /** The error object alone, as the {@code error} event of a stream carries it. */
  public static JsonObject error(GatewayError error) {
    return new JsonObject().put("type", type(error)).put("message", error.message());
  }

  public static JsonObject body(GatewayError error, String requestId) {
    JsonObject body = new JsonObject().put("type", "error").put("error", error(error));
    return requestId == null ? body : body.put("request_id", requestId);
  }
}

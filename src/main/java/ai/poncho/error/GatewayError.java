package ai.poncho.error;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A failure as a client sees it: HTTP status plus the OpenAI error object
 * {@code {"error":{"message","type","param","code"}}}, and optionally {@code details} (e.g. every
 * violation of a prompt's input schema). Immutable, so it crosses the event bus as is.
 */
public record GatewayError(int status, String type, String code, String param, String message, JsonArray details) {

  public GatewayError(int status, String type, String code, String param, String message) {
    this(status, type, code, param, message, null);
  }

  public GatewayError withDetails(JsonArray newDetails) {
    return new GatewayError(status, type, code, param, message, newDetails);
  }

  public static GatewayError of(ErrorKind kind, String code, String param, String message) {
    return new GatewayError(kind.status(), kind.type(), code, param, message);
  }

  public static GatewayError invalid(String param, String message) {
    return of(ErrorKind.INVALID_REQUEST, "invalid_value", param, message);
  }

  public GatewayException toException() {
    return new GatewayException(this);
  }

  /** The body sent to clients. */
  public JsonObject toResponseJson() {
    JsonObject error = new JsonObject().put("message", message).put("type", type).put("param", param)
        .put("code", code);
    if (details != null) {
      error.put("details", details);
    }
    return new JsonObject().put("error", error);
  }

  /** The flat form used on the clustered event bus and in reply failures. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("status", status).put("type", type).put("code", code)
        .put("param", param).put("message", message);
    return details == null ? json : json.put("details", details);
  }

  public static GatewayError fromJson(JsonObject json) {
    return new GatewayError(json.getInteger("status", 500), json.getString("type", "server_error"),
        json.getString("code"), json.getString("param"), json.getString("message", "Unknown error"),
        json.getJsonArray("details"));
  }
}

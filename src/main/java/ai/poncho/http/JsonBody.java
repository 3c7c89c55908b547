package ai.poncho.http;

import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.error.GatewayException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON request bodies: a 415 for any other content type, a 400 for bad JSON. */
public final class JsonBody {

  private JsonBody() {
  }

  public static void requireJsonContentType(RoutingContext ctx) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    int semicolon = type == null ? -1 : type.indexOf(';');
    String mime = type == null ? "" : (semicolon < 0 ? type : type.substring(0, semicolon)).trim();
    if (!mime.equalsIgnoreCase("application/json")) {
      ctx.fail(GatewayError.of(ErrorKind.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", null,
          "Content-Type must be application/json (got '" + (type == null ? "none" : type) + "').").toException());
      return;
    }
    ctx.next();
  }

  public static JsonObject object(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      throw invalid("The request body is empty; expected a JSON object.");
    }
    Object value;
    try {
      value = io.vertx.core.json.Json.decodeValue(body);
    } catch (DecodeException e) {
      throw invalid("We could not parse the JSON body of your request: " + firstLine(e.getMessage()));
    }
    if (!(value instanceof JsonObject json)) {
      throw invalid("The request body must be a JSON object.");
    }
    return json;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "malformed JSON.";
    }
    int newline = message.indexOf('\n');
    String line = newline < 0 ? message : message.substring(0, newline);
    return line.length() > 200 ? line.substring(0, 200) : line;
  }

  private static GatewayException invalid(String message) {
    return GatewayError.of(ErrorKind.INVALID_REQUEST, "invalid_json", null, message).toException();
  }
}

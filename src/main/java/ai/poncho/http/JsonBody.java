package ai.poncho.http;

import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.error.GatewayException;
import ai.poncho.logging.RequestLog;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** JSON request bodies: a 415 for any other content type, a 400 for bad JSON or bytes that are not UTF-8. */
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

  /** The body as a JSON object; its {@code model}, when it names one, goes into the request's log fields. */
  public static JsonObject object(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      throw invalid("The request body is empty; expected a JSON object.");
    }
    Object value;
    try {
      value = io.vertx.core.json.Json.decodeValue(strictUtf8(body));
    } catch (DecodeException e) {
      throw invalid("We could not parse the JSON body of your request: " + reason(e));
    }
    if (!(value instanceof JsonObject json)) {
      throw invalid("The request body must be a JSON object.");
    }
    if (json.getValue("model") instanceof String model) {
      RequestLog.model(model);
    }
    return json;
  }

  /**
   * The body as text, refusing what is not UTF-8 (overlong forms, surrogates, truncated sequences): the
   * JSON parser alone would decode an overlong {@code C0 AF} as "/".
   */
  private static String strictUtf8(Buffer body) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(body.getBytes())).toString();
    } catch (CharacterCodingException e) {
      throw invalid("The request body is not valid UTF-8.");
    }
  }

  /** What was wrong and where, in our words: the parser's own messages name its internals. */
  private static String reason(DecodeException e) {
    Throwable cause = e.getCause();
    if (cause instanceof StreamConstraintsException) {
      return "the JSON is nested too deeply or has a value that is too long.";
    }
    if (cause instanceof JsonProcessingException parse && parse.getLocation() != null) {
      JsonLocation at = parse.getLocation();
      return "malformed JSON at line " + at.getLineNr() + ", column " + at.getColumnNr() + ".";
    }
    return "malformed JSON.";
  }

  private static GatewayException invalid(String message) {
    return GatewayError.of(ErrorKind.INVALID_REQUEST, "invalid_json", null, message).toException();
  }
}

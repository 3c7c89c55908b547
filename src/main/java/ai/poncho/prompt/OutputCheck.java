package ai.poncho.prompt;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * For {@code output.format: json}: the model's text parsed as JSON (also when wrapped in a code fence or
 * preceded by prose) and checked against the output schema. The result says {@code valid},
 * {@code invalid_json} or {@code schema_mismatch}; a bad answer is reported, never turned into a failure.
 */
final class OutputCheck {

  static final String VALID = "valid";
  static final String INVALID_JSON = "invalid_json";
  static final String SCHEMA_MISMATCH = "schema_mismatch";

  private OutputCheck() {
  }

  /** {@code {"status", "output"?, "error"?, "violations"?}}. */
  static JsonObject check(String text, SchemaCheck schema) {
    Object parsed;
    try {
      parsed = parse(text == null ? "" : text);
    } catch (DecodeException e) {
      return new JsonObject().put("status", INVALID_JSON)
          .put("error", "The model's reply is not valid JSON: " + firstLine(e.getMessage()));
    }
    JsonObject result = new JsonObject().put("output", parsed);
    if (schema != null) {
      List<SchemaCheck.Violation> violations = schema.violations(parsed, "output");
      if (!violations.isEmpty()) {
        JsonArray details = new JsonArray();
        violations.forEach(v -> details.add(v.toJson()));
        return result.put("status", SCHEMA_MISMATCH).put("violations", details)
            .put("error", "The model's reply does not match the output schema: "
                + String.join("; ", violations.stream().map(SchemaCheck.Violation::describe).toList()) + ".");
      }
    }
    return result.put("status", VALID);
  }

  private static Object parse(String text) {
    String trimmed = text.trim();
    try {
      return Json.decodeValue(trimmed);
    } catch (DecodeException whole) {
      int object = trimmed.indexOf('{');
      int array = trimmed.indexOf('[');
      int start = object < 0 ? array : array < 0 ? object : Math.min(object, array);
      if (start < 0) {
        throw whole;
      }
      int end = trimmed.lastIndexOf(trimmed.charAt(start) == '{' ? '}' : ']');
      if (end <= start) {
        throw whole;
      }
      return Json.decodeValue(trimmed.substring(start, end + 1));
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "malformed JSON";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}

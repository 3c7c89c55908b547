package ai.poncho.prompt;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.util.ArrayList;
import java.util.List;

/**
 * A prompt's input or output schema, compiled once, listing every violation with where it is (path),
 * what the schema expected and what was given.
 */
final class SchemaCheck {

  private final JsonObject schema;
  private final Validator validator;

  SchemaCheck(JsonObject schema) {
    // Vert.x annotates the schema object it is given; the prompt keeps its own, clean copy.
    this.schema = schema;
    this.validator = Validator.create(JsonSchema.of(schema.copy()), new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
        .setBaseUri("urn:poncho:prompt").setOutputFormat(OutputFormat.Basic));
  }

  /** One violation: path as {@code input.a.b[0]}, the schema keyword, what it wanted, what it got. */
  record Violation(String path, String keyword, Object expected, String got, String message) {

    JsonObject toJson() {
      return new JsonObject().put("path", path).put("keyword", keyword).put("expected", expected)
          .put("got", got).put("message", message);
    }

    String describe() {
      return path + ": expected " + (expected instanceof String s ? s : String.valueOf(expected)) + ", got " + got;
    }
  }

  /** All violations of the value (empty when it is valid); {@code root} names the value in paths. */
  List<Violation> violations(Object value, String root) {
    OutputUnit result = validator.validate(value);
    List<Violation> violations = new ArrayList<>();
    if (Boolean.TRUE.equals(result.getValid())) {
      return violations;
    }
    List<OutputUnit> errors = result.getErrors() == null || result.getErrors().isEmpty() ? List.of(result)
        : result.getErrors();
    for (OutputUnit error : errors) {
      String keywordLocation = error.getKeywordLocation() == null ? "" : error.getKeywordLocation();
      String keyword = keywordLocation.substring(keywordLocation.lastIndexOf('/') + 1);
      Object expected = at(schema, keywordLocation);
      Object instance = at(value, error.getInstanceLocation());
      String path = path(root, error.getInstanceLocation());
      if (keyword.equals("required") && expected instanceof JsonArray required && instance instanceof JsonObject o) {
        for (Object name : required) {
          if (!o.containsKey(String.valueOf(name))) {
            violations.add(new Violation(path + "." + name, keyword, "a value (required)", "nothing",
                error.getError()));
          }
        }
        continue;
      }
      if (keyword.equals("additionalProperties")) {
        // Reported per offending property; a declared property that failed its own schema is not one.
        JsonObject parentSchema = at(schema, parent(keywordLocation)) instanceof JsonObject p ? p : new JsonObject();
        JsonObject known = parentSchema.getValue("properties") instanceof JsonObject k ? k : new JsonObject();
        String instanceLocation = error.getInstanceLocation() == null ? "" : error.getInstanceLocation();
        String property = instanceLocation.substring(instanceLocation.lastIndexOf('/') + 1);
        if (known.containsKey(property)) {
          continue;
        }
        Object container = at(value, parent(instanceLocation));
        if (container instanceof JsonObject o && !instanceLocation.isEmpty()) {
          violations.add(new Violation(path, keyword, "no such property", describe(instance), error.getError()));
        } else if (instance instanceof JsonObject o) {
          for (String name : o.fieldNames()) {
            if (!known.containsKey(name)) {
              violations.add(new Violation(path + "." + name, keyword, "no such property",
                  describe(o.getValue(name)), error.getError()));
            }
          }
        }
        continue;
      }
      if (keyword.equals("properties") || keyword.equals("items") || keyword.isEmpty()) {
        continue;
      }
      violations.add(new Violation(path, keyword, expectation(keyword, expected), describe(instance),
          error.getError()));
    }
    if (violations.isEmpty()) {
      violations.add(new Violation(root, "schema", "a value matching the schema", describe(value),
          result.getError()));
    }
    return violations;
  }

  private static Object expectation(String keyword, Object expected) {
    return switch (keyword) {
      case "type" -> expected instanceof JsonArray types ? "type " + String.join(" or ",
          types.stream().map(String::valueOf).toList()) : "type " + expected;
      case "enum" -> "one of " + expected;
      default -> keyword + " " + (expected instanceof String s ? s : String.valueOf(expected));
    };
  }

  private static String describe(Object value) {
    String type = value == null ? "null" : value instanceof JsonObject ? "object" : value instanceof JsonArray
        ? "array" : value instanceof String ? "string" : value instanceof Boolean ? "boolean"
        : value instanceof Number ? "number" : "value";
    if (value instanceof JsonObject || value instanceof JsonArray || value == null) {
      return type;
    }
    String text = value instanceof String s ? io.vertx.core.json.Json.encode(s) : value.toString();
    return type + " " + (text.length() > 60 ? text.substring(0, 60) + "…" : text);
  }

  private static String parent(String pointer) {
    int slash = pointer.lastIndexOf('/');
    return slash <= 0 ? "" : pointer.substring(0, slash);
  }

  /** The value at a JSON pointer (with or without a leading {@code #}), or null. */
  private static Object at(Object root, String pointer) {
    if (pointer == null) {
      return null;
    }
    String p = pointer.startsWith("#") ? pointer.substring(1) : pointer;
    Object current = root;
    if (p.isEmpty()) {
      return current;
    }
    for (String token : p.substring(1).split("/", -1)) {
      String key = token.replace("~1", "/").replace("~0", "~");
      if (current instanceof JsonObject o) {
        current = o.getValue(key);
      } else if (current instanceof JsonArray a && key.matches("\\d+") && Integer.parseInt(key) < a.size()) {
        current = a.getValue(Integer.parseInt(key));
      } else {
        return null;
      }
    }
    return current;
  }

  private static String path(String root, String pointer) {
    StringBuilder path = new StringBuilder(root);
    if (pointer == null) {
      return root;
    }
    String p = pointer.startsWith("#") ? pointer.substring(1) : pointer;
    if (p.isEmpty()) {
      return root;
    }
    for (String token : p.substring(1).split("/", -1)) {
      String key = token.replace("~1", "/").replace("~0", "~");
      if (key.matches("\\d+")) {
        path.append('[').append(key).append(']');
      } else {
        path.append('.').append(key);
      }
    }
    return path.toString();
  }
}

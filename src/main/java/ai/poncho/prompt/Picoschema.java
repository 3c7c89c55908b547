package ai.poncho.prompt;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Dotprompt's Picoschema compiled to JSON Schema: {@code name: type, description}, {@code name?} optional
 * (and nullable), {@code name(array|object|enum, description)}, {@code (*)} for additional properties,
 * and named schemas. A value that already looks like JSON Schema is passed through.
 */
final class Picoschema {

  private static final Set<String> SCALARS = Set.of("any", "boolean", "integer", "null", "number", "string");
  private static final Set<String> JSON_SCHEMA_TYPES = Set.of("any", "boolean", "integer", "null", "number",
      "string", "object", "array");
  private static final Pattern DESCRIPTION = Pattern.compile("(.*?), *(.*)$", Pattern.DOTALL);
  private static final String WILDCARD = "(*)";

  private final Map<String, JsonObject> named;

  Picoschema(Map<String, JsonObject> named) {
    this.named = named;
  }

  /** The JSON Schema for a schema given in a prompt's front matter, or null when none is given. */
  JsonObject compile(Object schema) {
    if (schema == null) {
      return null;
    }
    if (schema instanceof String s) {
      return typeSchema(s);
    }
    if (schema instanceof JsonObject object) {
      if (object.getValue("type") instanceof String type && JSON_SCHEMA_TYPES.contains(type)) {
        return object.copy();
      }
      if (object.getValue("properties") instanceof JsonObject) {
        return object.copy().put("type", "object");
      }
    }
    return pico(schema);
  }

  private JsonObject pico(Object value) {
    if (value instanceof String s) {
      return typeSchema(s);
    }
    if (value instanceof JsonObject object) {
      return object(object);
    }
    throw new IllegalArgumentException("Picoschema only consists of objects and strings; got: "
        + (value == null ? "null" : value.toString()));
  }

  private JsonObject typeSchema(String text) {
    String[] typeAndDescription = split(text);
    String type = typeAndDescription[0];
    String description = typeAndDescription[1];
    if (SCALARS.contains(type)) {
      JsonObject schema = type.equals("any") ? new JsonObject() : new JsonObject().put("type", type);
      return description == null ? schema : schema.put("description", description);
    }
    JsonObject resolved = named.get(type);
    if (resolved == null) {
      throw new IllegalArgumentException("Picoschema: unknown type or schema name '" + type + "'");
    }
    JsonObject copy = resolved.copy();
    return description == null ? copy : copy.put("description", description);
  }

  private JsonObject object(JsonObject pico) {
    JsonObject properties = new JsonObject();
    JsonArray required = new JsonArray();
    JsonObject schema = new JsonObject().put("type", "object").put("properties", properties);
    Object additional = false;
    for (Map.Entry<String, Object> entry : pico) {
      String key = entry.getKey();
      if (key.equals(WILDCARD)) {
        additional = pico(entry.getValue());
        continue;
      }
      int paren = key.indexOf('(');
      String name = paren < 0 ? key : key.substring(0, paren);
      boolean optional = name.endsWith("?");
      String property = optional ? name.substring(0, name.length() - 1) : name;
      if (!optional) {
        required.add(property);
      }
      if (paren < 0) {
        JsonObject prop = pico(entry.getValue());
        if (optional && prop.getValue("type") instanceof String type) {
          prop.put("type", new JsonArray().add(type).add("null"));
        }
        properties.put(property, prop);
        continue;
      }
      String inner = key.substring(paren + 1, key.endsWith(")") ? key.length() - 1 : key.length());
      String[] typeAndDescription = split(inner);
      JsonObject prop = typed(typeAndDescription[0], entry.getValue(), optional);
      if (typeAndDescription[1] != null) {
        prop.put("description", typeAndDescription[1]);
      }
      properties.put(property, prop);
    }
    schema.put("additionalProperties", additional);
    if (!required.isEmpty()) {
      schema.put("required", required);
    }
    return schema;
  }

  private JsonObject typed(String type, Object value, boolean optional) {
    switch (type) {
      case "array" -> {
        return new JsonObject().put("type", optional ? new JsonArray().add("array").add("null") : "array")
            .put("items", pico(value));
      }
      case "object" -> {
        JsonObject prop = pico(value);
        if (optional) {
          prop.put("type", new JsonArray().add(prop.getValue("type")).add("null"));
        }
        return prop;
      }
      case "enum" -> {
        if (!(value instanceof JsonArray values)) {
          throw new IllegalArgumentException("Picoschema: an enum needs a list of values");
        }
        JsonArray copy = values.copy();
        if (optional && !copy.contains(null)) {
          copy.addNull();
        }
        return new JsonObject().put("enum", copy);
      }
      default -> throw new IllegalArgumentException(
          "Picoschema: parenthetical types must be 'object', 'array' or 'enum', got: " + type);
    }
  }

  private static String[] split(String text) {
    if (!text.contains(",")) {
      return new String[] {text.trim(), null};
    }
    Matcher m = DESCRIPTION.matcher(text);
    if (!m.matches()) {
      return new String[] {text.trim(), null};
    }
    return new String[] {m.group(1).trim(), m.group(2)};
  }
}

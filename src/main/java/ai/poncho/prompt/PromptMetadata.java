package ai.poncho.prompt;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * A prompt's front matter, interpreted as Dotprompt does: the reserved keys, input and output schemas
 * compiled to JSON Schema, {@code raw} (the front matter as written) and {@code ext} (dotted
 * {@code namespace.key} entries grouped by namespace).
 */
record PromptMetadata(String model, String description, String version, JsonObject config, JsonObject inputSchema,
                      JsonObject inputDefault, String outputFormat, JsonObject outputSchema, JsonArray tools,
                      JsonObject metadata, JsonObject raw, JsonObject ext) {

  static final String FORMAT_JSON = "json";
  private static final Set<String> FORMATS = Set.of("text", FORMAT_JSON);

  static PromptMetadata empty() {
    return new PromptMetadata(null, null, null, new JsonObject(), null, null, null, null, null, null, null,
        new JsonObject());
  }

  /** Reads front matter; {@code raw} is what the file said (the two differ only when options are merged in). */
  static PromptMetadata from(JsonObject front, JsonObject raw, Picoschema picoschema) {
    JsonObject input = object(front, "input");
    JsonObject output = object(front, "output");
    String format = string(output, "format");
    if (format != null && !FORMATS.contains(format)) {
      throw new IllegalArgumentException("output.format must be text or json (got '" + format + "')");
    }
    Object tools = front.getValue("tools");
    if (tools != null && !(tools instanceof JsonArray)) {
      throw new IllegalArgumentException("tools must be a list");
    }
    JsonObject ext = new JsonObject();
    for (String key : front.fieldNames()) {
      int dot = key.lastIndexOf('.');
      if (dot > 0) {
        String namespace = key.substring(0, dot);
        JsonObject group = ext.getJsonObject(namespace);
        if (group == null) {
          group = new JsonObject();
          ext.put(namespace, group);
        }
        group.put(key.substring(dot + 1), front.getValue(key));
      }
    }
    return new PromptMetadata(string(front, "model"), string(front, "description"), string(front, "version"),
        object(front, "config"), picoschema.compile(input.getValue("schema")), objectOrNull(input, "default"),
        format, picoschema.compile(output.getValue("schema")), (JsonArray) tools, objectOrNull(front, "metadata"),
        raw, ext);
  }

  boolean jsonOutput() {
    return FORMAT_JSON.equals(outputFormat);
  }

  /** Dotprompt's shape of the metadata (what the prompt API and the conformance suite compare). */
  JsonObject toJson() {
    JsonObject json = new JsonObject();
    put(json, "model", model);
    put(json, "description", description);
    put(json, "version", version);
    json.put("config", config.copy());
    JsonObject input = new JsonObject();
    put(input, "schema", inputSchema);
    put(input, "default", inputDefault);
    if (!input.isEmpty()) {
      json.put("input", input);
    }
    JsonObject output = new JsonObject();
    put(output, "format", outputFormat);
    put(output, "schema", outputSchema);
    if (!output.isEmpty()) {
      json.put("output", output);
    }
    put(json, "tools", tools);
    put(json, "metadata", metadata);
    put(json, "raw", raw);
    json.put("ext", ext.copy());
    return json;
  }

  private static void put(JsonObject json, String key, Object value) {
    if (value != null) {
      json.put(key, value);
    }
  }

  private static String string(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return null;
    }
    if (value instanceof JsonObject || value instanceof JsonArray) {
      throw new IllegalArgumentException(key + " must be a string");
    }
    return value.toString();
  }

  private static JsonObject object(JsonObject json, String key) {
    JsonObject value = objectOrNull(json, key);
    return value == null ? new JsonObject() : value;
  }

  private static JsonObject objectOrNull(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value != null && !(value instanceof JsonObject)) {
      throw new IllegalArgumentException(key + " must be a mapping");
    }
    return (JsonObject) value;
  }
}

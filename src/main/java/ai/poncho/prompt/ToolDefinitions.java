package ai.poncho.prompt;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Tool definitions of {@code prompts.tools_dir}, one file ({@code .json}, {@code .yaml} or {@code .yml})
 * holding one definition or a list of them. A definition is Dotprompt's {@code {name, description,
 * inputSchema}} (or {@code parameters}; Picoschema or JSON Schema), or an OpenAI function tool as is;
 * a file with one definition and no {@code name} is named after the file. Each becomes an OpenAI
 * function tool.
 */
final class ToolDefinitions {

  static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private ToolDefinitions() {
  }

  /** The OpenAI function tools a tool file defines; IllegalArgumentException says what is wrong. */
  static List<JsonObject> parse(String fileStem, String source, Picoschema picoschema) {
    Object document = Yaml.document(source);
    List<JsonObject> tools = new ArrayList<>();
    if (document instanceof JsonObject single) {
      tools.add(tool(single, fileStem, picoschema, "the definition"));
    } else if (document instanceof JsonArray list && !list.isEmpty()) {
      for (int i = 0; i < list.size(); i++) {
        if (!(list.getValue(i) instanceof JsonObject item)) {
          throw new IllegalArgumentException("definition " + i + " is not a mapping");
        }
        tools.add(tool(item, null, picoschema, "definition " + i));
      }
    } else {
      throw new IllegalArgumentException("expected a tool definition {name, description, inputSchema} or a list of them");
    }
    return tools;
  }

  /** The function name of an OpenAI tool, or null. */
  static String functionName(JsonObject tool) {
    return tool.getValue("function") instanceof JsonObject function && function.getValue("name") instanceof String name
        ? name : null;
  }

  private static JsonObject tool(JsonObject definition, String defaultName, Picoschema picoschema, String what) {
    JsonObject function = "function".equals(definition.getValue("type"))
        && definition.getValue("function") instanceof JsonObject inner ? inner : definition;
    Object name = function.getValue("name", defaultName);
    if (!(name instanceof String text) || !NAME.matcher(text).matches()) {
      throw new IllegalArgumentException(what + " needs a name of 1 to 64 letters, digits, '_' or '-' (got "
          + (name == null ? "none" : "'" + name + "'") + ")");
    }
    Object description = function.getValue("description");
    if (description != null && !(description instanceof String)) {
      throw new IllegalArgumentException("tool '" + text + "': description must be a string");
    }
    Object schema = function.getValue("parameters", function.getValue("inputSchema"));
    JsonObject parameters;
    try {
      parameters = schema == null ? new JsonObject().put("type", "object").put("properties", new JsonObject())
          : picoschema.compile(schema);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("tool '" + text + "': " + e.getMessage(), e);
    }
    if (parameters == null || !"object".equals(parameters.getValue("type"))) {
      throw new IllegalArgumentException("tool '" + text + "': parameters must be an object schema");
    }
    JsonObject out = new JsonObject().put("name", text);
    if (description != null) {
      out.put("description", description);
    }
    return new JsonObject().put("type", "function").put("function", out.put("parameters", parameters));
  }
}

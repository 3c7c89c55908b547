package ai.poncho.chat;

import io.vertx.core.json.JsonObject;

/**
 * A streamed fragment of a tool call. The first fragment of a call carries id, type and name; later
 * ones only the index and the next piece of the arguments.
 */
public record ToolCallDelta(int index, String id, String type, String name, String arguments) {

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("index", index);
    if (id != null) {
      json.put("id", id);
    }
    if (type != null) {
      json.put("type", type);
    }
    JsonObject function = new JsonObject();
    if (name != null) {
      function.put("name", name);
    }
    if (arguments != null) {
      function.put("arguments", arguments);
    }
    return json.put("function", function);
  }

  /** Appends exactly the text of {@code toJson().encode()}. */
  void writeJson(StringBuilder out) {
    out.append("{\"index\":").append(index);
    if (id != null) {
      JsonOut.string(out.append(",\"id\":"), id);
    }
    if (type != null) {
      JsonOut.string(out.append(",\"type\":"), type);
    }
    out.append(",\"function\":{");
    if (name != null) {
      JsonOut.string(out.append("\"name\":"), name);
    }
    if (arguments != null) {
      JsonOut.string(JsonOut.name(out, "arguments", name == null), arguments);
    }
    out.append("}}");
  }

  public static ToolCallDelta fromJson(JsonObject json) {
    JsonObject function = json.getJsonObject("function", new JsonObject());
    return new ToolCallDelta(json.getInteger("index", 0), json.getString("id"), json.getString("type"),
        function.getString("name"), function.getString("arguments"));
  }
}

package ai.poncho.chat;

import io.vertx.core.json.JsonObject;

/** A complete function call made by the assistant. */
public record ToolCall(String id, String type, String name, String arguments) {

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("type", type == null ? "function" : type)
        .put("function", new JsonObject().put("name", name).put("arguments", arguments));
  }
}

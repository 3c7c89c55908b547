package ai.poncho.prompt;

import io.vertx.core.json.JsonObject;

/**
 * How the last load of one file went: {@code error} is null when it loaded; {@code serving} tells whether
 * a version of it (the current one, or the last good one after a failure) is in use.
 */
record PromptFileStatus(String file, String kind, String name, String variant, String error, boolean serving) {

  static final String PROMPT = "prompt";
  static final String PARTIAL = "partial";
  static final String TOOL = "tool";

  JsonObject toJson() {
    JsonObject json = new JsonObject().put("file", file).put("kind", kind).put("name", name)
        .put("status", error == null ? "ok" : "error").put("serving", serving);
    if (variant != null) {
      json.put("variant", variant);
    }
    if (error != null) {
      json.put("error", error);
    }
    return json;
  }
}

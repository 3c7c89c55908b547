package ai.poncho.chat;

import io.vertx.core.json.JsonObject;

/** Token usage as providers report it. */
public record Usage(int promptTokens, int completionTokens, int totalTokens) {

  public static Usage of(int promptTokens, int completionTokens) {
    return new Usage(promptTokens, completionTokens, promptTokens + completionTokens);
  }

  public JsonObject toJson() {
    return new JsonObject().put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
        .put("total_tokens", totalTokens);
  }

  public static Usage fromJson(JsonObject json) {
    if (json == null) {
      return null;
    }
    int prompt = json.getInteger("prompt_tokens", 0);
    int completion = json.getInteger("completion_tokens", 0);
    return new Usage(prompt, completion, json.getInteger("total_tokens", prompt + completion));
  }
}

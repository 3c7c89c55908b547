package ai.poncho.chat;

import io.vertx.core.json.JsonObject;

/**
 * Token usage as providers report it. {@code cachedTokens} is the part of the prompt tokens served from
 * the provider's prompt cache (OpenAI's {@code prompt_tokens_details.cached_tokens}), billed at the cached price.
 */
public record Usage(int promptTokens, int completionTokens, int totalTokens, int cachedTokens) {

  public Usage(int promptTokens, int completionTokens, int totalTokens) {
    this(promptTokens, completionTokens, totalTokens, 0);
  }

  public static Usage of(int promptTokens, int completionTokens) {
    return new Usage(promptTokens, completionTokens, promptTokens + completionTokens);
  }

  public static Usage of(int promptTokens, int completionTokens, int cachedTokens) {
    return new Usage(promptTokens, completionTokens, promptTokens + completionTokens, cachedTokens);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
        .put("total_tokens", totalTokens);
    if (cachedTokens > 0) {
      json.put("prompt_tokens_details", new JsonObject().put("cached_tokens", cachedTokens));
    }
    return json;
  }

  /** Appends exactly the text of {@code toJson().encode()}. */
  void writeJson(StringBuilder out) {
    out.append("{\"prompt_tokens\":").append(promptTokens).append(",\"completion_tokens\":").append(completionTokens)
        .append(",\"total_tokens\":").append(totalTokens);
    if (cachedTokens > 0) {
      out.append(",\"prompt_tokens_details\":{\"cached_tokens\":").append(cachedTokens).append('}');
    }
    out.append('}');
  }

  public static Usage fromJson(JsonObject json) {
    if (json == null) {
      return null;
    }
    int prompt = json.getInteger("prompt_tokens", 0);
    int completion = json.getInteger("completion_tokens", 0);
    Object details = json.getValue("prompt_tokens_details");
    int cached = details instanceof JsonObject d && d.getValue("cached_tokens") instanceof Number n ? n.intValue() : 0;
    return new Usage(prompt, completion, json.getInteger("total_tokens", prompt + completion), cached);
  }
}

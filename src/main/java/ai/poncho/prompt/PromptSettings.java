package ai.poncho.prompt;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A prompt's {@code config} as chat request settings: temperature, maxOutputTokens (or max_tokens), topP
 * (or top_p) and stopSequences (or stop). Other keys are model-specific and stay in the metadata.
 */
record PromptSettings(Double temperature, Integer maxTokens, Double topP, List<String> stop) {

  static PromptSettings from(JsonObject config) {
    return new PromptSettings(number(config, "temperature"), integer(config, "maxOutputTokens", "max_tokens"),
        number(config, "topP", "top_p"), strings(config.getValue("stopSequences", config.getValue("stop"))));
  }

  /** The config a request would use, in the prompt's own (Dotprompt) keys. */
  JsonObject toJson() {
    JsonObject json = new JsonObject();
    if (temperature != null) {
      json.put("temperature", temperature);
    }
    if (maxTokens != null) {
      json.put("maxOutputTokens", maxTokens);
    }
    if (topP != null) {
      json.put("topP", topP);
    }
    if (stop != null) {
      json.put("stopSequences", new JsonArray(stop));
    }
    return json;
  }

  private static Double number(JsonObject config, String... keys) {
    for (String key : keys) {
      Object value = config.getValue(key);
      if (value instanceof Number n) {
        return n.doubleValue();
      }
      if (value != null) {
        throw new IllegalArgumentException("config." + key + " must be a number");
      }
    }
    return null;
  }

  private static Integer integer(JsonObject config, String... keys) {
    Double value = number(config, keys);
    if (value != null && (value != Math.rint(value) || value < 1)) {
      throw new IllegalArgumentException("config." + keys[0] + " must be a positive whole number");
    }
    return value == null ? null : value.intValue();
  }

  private static List<String> strings(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof String s) {
      return List.of(s);
    }
    if (!(value instanceof JsonArray array)) {
      throw new IllegalArgumentException("config.stopSequences must be a list of strings");
    }
    List<String> result = new ArrayList<>();
    array.forEach(item -> result.add(String.valueOf(item)));
    return List.copyOf(result);
  }
}

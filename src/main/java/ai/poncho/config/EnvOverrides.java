package ai.poncho.config;

import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Map;

/**
 * Applies {@code PONCHO_A__B=value} environment variables as overrides of {@code a.b}. Names are
 * matched case-insensitively and with {@code _} standing for {@code -} or {@code .}, so
 * {@code PONCHO_MODELS__DEEPSEEK_CHAT__API_KEY} reaches {@code models.deepseek-chat.api_key}.
 */
public final class EnvOverrides {

  public static final String PREFIX = "PONCHO_";
  /** Not a path: the config file location. */
  private static final String CONFIG_VARIABLE = "PONCHO_CONFIG";

  private EnvOverrides() {
  }

  public static JsonObject apply(JsonObject config, Map<String, String> env) {
    JsonObject result = config.copy();
    env.entrySet().stream()
        .filter(e -> e.getKey().startsWith(PREFIX) && !e.getKey().equals(CONFIG_VARIABLE))
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> put(result, e.getKey().substring(PREFIX.length()).split("__"), e.getValue()));
    return result;
  }

  private static void put(JsonObject root, String[] segments, String value) {
    JsonObject node = root;
    for (int i = 0; i < segments.length; i++) {
      if (segments[i].isEmpty()) {
        return;
      }
      String key = existingKey(node, segments[i]);
      if (i == segments.length - 1) {
        node.put(key, value);
        return;
      }
      Object child = node.getValue(key);
      if (!(child instanceof JsonObject)) {
        child = new JsonObject();
        node.put(key, child);
      }
      node = (JsonObject) child;
    }
  }

  private static String existingKey(JsonObject node, String segment) {
    String wanted = normalise(segment);
    for (String key : node.fieldNames()) {
      if (normalise(key).equals(wanted)) {
        return key;
      }
    }
    return segment.toLowerCase(Locale.ROOT);
  }

  private static String normalise(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "_");
  }
}

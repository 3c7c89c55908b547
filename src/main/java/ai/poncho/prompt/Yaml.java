package ai.poncho.prompt;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** YAML front matter to JSON: the safe constructor only, so a prompt file can never instantiate Java types. */
final class Yaml {

  private static final int MAX_ALIASES = 50;

  private Yaml() {
  }

  /** A YAML mapping as JSON; an empty document reads as an empty object. */
  static JsonObject mapping(String yaml) {
    Object value = document(yaml);
    if (value == null) {
      return new JsonObject();
    }
    if (!(value instanceof JsonObject mapping)) {
      throw new IllegalArgumentException("front matter must be a YAML mapping");
    }
    return mapping;
  }

  /** Any YAML (or JSON) document as JSON values; null for an empty document. */
  static Object document(String yaml) {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(MAX_ALIASES);
    options.setAllowDuplicateKeys(false);
    return toJson(new org.yaml.snakeyaml.Yaml(new SafeConstructor(options)).load(yaml));
  }

  static Object toJson(Object value) {
    if (value instanceof Map<?, ?> map) {
      JsonObject json = new JsonObject();
      map.forEach((k, v) -> json.put(String.valueOf(k), toJson(v)));
      return json;
    }
    if (value instanceof List<?> list) {
      JsonArray array = new JsonArray();
      list.forEach(item -> array.add(toJson(item)));
      return array;
    }
    if (value instanceof Date date) {
      return date.toInstant().toString();
    }
    if (value instanceof byte[] bytes) {
      return java.util.Base64.getEncoder().encodeToString(bytes);
    }
    return value;
  }
}

package ai.poncho.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${VAR}} and {@code ${VAR:-default}} in every string of a configuration tree. A value
 * that is only an unset {@code ${VAR}} becomes null, so an absent API key reads as absent.
 */
public final class Substitution {

  private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

  private Substitution() {
  }

  public static JsonObject apply(JsonObject config, Function<String, String> env) {
    JsonObject result = new JsonObject();
    for (Map.Entry<String, Object> entry : config) {
      result.put(entry.getKey(), value(entry.getValue(), env));
    }
    return result;
  }

  private static Object value(Object value, Function<String, String> env) {
    if (value instanceof JsonObject object) {
      return apply(object, env);
    }
    if (value instanceof JsonArray array) {
      JsonArray result = new JsonArray();
      array.forEach(item -> result.add(value(item, env)));
      return result;
    }
    if (value instanceof String s && s.contains("${")) {
      return string(s, env);
    }
    return value;
  }

  static String string(String s, Function<String, String> env) {
    Matcher m = REFERENCE.matcher(s);
    StringBuilder sb = new StringBuilder();
    boolean unsetOnly = false;
    int references = 0;
    while (m.find()) {
      references++;
      String resolved = env.apply(m.group(1));
      if (resolved == null || resolved.isEmpty()) {
        resolved = m.group(2);
      }
      unsetOnly = resolved == null && m.start() == 0 && m.end() == s.length();
      m.appendReplacement(sb, Matcher.quoteReplacement(resolved == null ? "" : resolved));
    }
    m.appendTail(sb);
    return references == 1 && unsetOnly ? null : sb.toString();
  }
}

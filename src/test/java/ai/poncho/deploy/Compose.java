package ai.poncho.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A compose file as docker compose sees it with docker/.env.example as its .env: variables
 * interpolated ({@code ${A}}, {@code ${A:-default}}, {@code ${A:?error}}), YAML merge keys applied.
 */
final class Compose {

  static final Path DOCKER = Path.of("docker");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+)(?:(:?[-?])([^}]*))?}");

  private Compose() {
  }

  /** docker/.env.example: NAME=value lines. */
  static Map<String, String> envExample() throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : Files.readAllLines(DOCKER.resolve(".env.example"))) {
      if (!line.isBlank() && !line.startsWith("#")) {
        int equals = line.indexOf('=');
        env.put(line.substring(0, equals), line.substring(equals + 1));
      }
    }
    return env;
  }

  static Set<String> variablesUsed(String text) {
    Set<String> names = new LinkedHashSet<>();
    Matcher matcher = VARIABLE.matcher(text);
    while (matcher.find()) {
      names.add(matcher.group(1));
    }
    return names;
  }

  /** The file interpolated; a required variable left empty in the example gets a placeholder. */
  static Map<String, Object> load(String file) throws IOException {
    Map<String, String> env = envExample();
    String text = Files.readString(DOCKER.resolve(file));
    Matcher matcher = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String value = env.getOrDefault(matcher.group(1), "");
      String operator = matcher.group(2);
      if (value.isEmpty() && operator != null) {
        value = operator.endsWith("?") ? "placeholder-" + matcher.group(1).toLowerCase() : matcher.group(3);
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(out);
    Path resolved = Files.createTempFile("compose-", ".yml");
    try {
      Files.writeString(resolved, out.toString());
      return Tools.yaml(resolved);
    } finally {
      Files.delete(resolved);
    }
  }

  static Map<String, Object> services(Map<String, Object> compose) {
    return Tools.map(compose.get("services"));
  }

  static Map<String, Object> service(Map<String, Object> compose, String name) {
    return Tools.map(services(compose).get(name));
  }

  /** The environment of a service as a map (compose also allows a list of NAME=value). */
  static Map<String, String> environment(Map<String, Object> service) {
    Map<String, String> env = new LinkedHashMap<>();
    Object value = service.get("environment");
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> env.put(k.toString(), v == null ? "" : v.toString()));
    } else if (value instanceof List<?> list) {
      list.forEach(item -> {
        String entry = item.toString();
        int equals = entry.indexOf('=');
        env.put(entry.substring(0, equals), entry.substring(equals + 1));
      });
    }
    return env;
  }

  static List<String> strings(Object value) {
    return value == null ? List.of() : Tools.list(value).stream().map(Object::toString).toList();
  }
}

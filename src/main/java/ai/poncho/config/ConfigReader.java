package ai.poncho.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, path-aware reads of one configuration section. Problems are collected (not thrown) so that a
 * bad file reports all of them at once. Numbers and booleans may be given as strings, because
 * {@code ${VAR}} substitution and environment overrides produce strings.
 */
public final class ConfigReader {

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kb|kib|mb|mib|gb|gib)?");

  private final JsonObject json;
  private final String path;
  private final List<String> problems;

  private ConfigReader(JsonObject json, String path, List<String> problems) {
    this.json = json;
    this.path = path;
    this.problems = problems;
  }

  public static ConfigReader root(JsonObject json) {
    return new ConfigReader(json, "", new ArrayList<>());
  }

  /** Throws a {@link ConfigException} listing everything reported so far, if anything was. */
  public void throwIfInvalid() {
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }

  public String path(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public void problem(String key, String message) {
    problems.add(path(key) + ": " + message);
  }

  public boolean has(String key) {
    return json.getValue(key) != null;
  }

  public JsonObject raw() {
    return json;
  }

  /** A nested section; an absent one reads as empty, a non-object is reported. */
  public ConfigReader section(String key) {
    Object value = json.getValue(key);
    if (value != null && !(value instanceof JsonObject)) {
      problem(key, "must be a mapping");
      value = null;
    }
    return new ConfigReader(value == null ? new JsonObject() : (JsonObject) value, path(key), problems);
  }

  /** The sub-sections of a mapping of names (e.g. {@code models}), in file order. */
  public Map<String, ConfigReader> sections() {
    Map<String, ConfigReader> result = new LinkedHashMap<>();
    for (String key : json.fieldNames()) {
      ConfigReader child = section(key);
      result.put(key, child);
    }
    return result;
  }

  /** The mappings of a list (e.g. {@code deployments}), each read at {@code key[i]}. */
  public List<ConfigReader> sectionList(String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      problem(key, "must be a list of mappings");
      return List.of();
    }
    List<ConfigReader> result = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      if (array.getValue(i) instanceof JsonObject item) {
        result.add(new ConfigReader(item, path(key) + "[" + i + "]", problems));
      } else {
        problems.add(path(key) + "[" + i + "]: must be a mapping");
      }
    }
    return result;
  }

  /** This section with {@code defaults} filled in for keys it does not set; same path, same problem list. */
  public ConfigReader withDefaults(JsonObject defaults) {
    return new ConfigReader(defaults.copy().mergeIn(json), path, problems);
  }

  /** A string-to-string mapping (e.g. extra HTTP headers). */
  public Map<String, String> stringMap(String key) {
    Map<String, String> result = new LinkedHashMap<>();
    object(key).forEach(entry -> {
      if (entry.getValue() == null || entry.getValue() instanceof JsonObject || entry.getValue() instanceof JsonArray) {
        problems.add(path(key) + "." + entry.getKey() + ": must be a string");
      } else {
        result.put(entry.getKey(), entry.getValue().toString());
      }
    });
    return result;
  }

  public String string(String key, String defaultValue) {
    Object value = json.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    if (value instanceof JsonObject || value instanceof JsonArray) {
      problem(key, "must be a string");
      return defaultValue;
    }
    String s = value.toString();
    return s.isEmpty() ? defaultValue : s;
  }

  public String oneOf(String key, String defaultValue, Set<String> allowed) {
    String value = string(key, defaultValue);
    if (value != null && !allowed.contains(value)) {
      problem(key, "must be one of " + String.join(", ", allowed.stream().sorted().toList()) + " (got '" + value
          + "')");
      return defaultValue;
    }
    return value;
  }

  public List<String> strings(String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return List.of();
    }
    if (value instanceof String s) {
      return List.of(s);
    }
    if (!(value instanceof JsonArray array)) {
      problem(key, "must be a list of strings");
      return List.of();
    }
    List<String> result = new ArrayList<>();
    for (Object item : array) {
      if (item instanceof JsonObject || item instanceof JsonArray || item == null) {
        problem(key, "must be a list of strings");
        return List.of();
      }
      result.add(item.toString());
    }
    return result;
  }

  public boolean bool(String key, boolean defaultValue) {
    Object value = json.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    String s = value.toString().trim().toLowerCase(Locale.ROOT);
    if (s.equals("true") || s.equals("yes") || s.equals("on")) {
      return true;
    }
    if (s.equals("false") || s.equals("no") || s.equals("off")) {
      return false;
    }
    problem(key, "must be true or false (got '" + value + "')");
    return defaultValue;
  }

  public int integer(String key, int defaultValue, int min, int max) {
    Double d = numberValue(key);
    if (d == null) {
      return defaultValue;
    }
    if (d != Math.rint(d)) {
      problem(key, "must be a whole number (got " + json.getValue(key) + ")");
      return defaultValue;
    }
    if (d < min || d > max) {
      problem(key, "must be between " + min + " and " + max + " (got " + json.getValue(key) + ")");
      return defaultValue;
    }
    return d.intValue();
  }

  /** An optional number in [min, max]; null when absent. */
  public Double number(String key, double min, double max) {
    Double d = numberValue(key);
    if (d != null && (d < min || d > max)) {
      problem(key, "must be between " + trim(min) + " and " + trim(max));
      return null;
    }
    return d;
  }

  private Double numberValue(String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return null;
    }
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    try {
      return Double.parseDouble(value.toString().trim());
    } catch (NumberFormatException e) {
      problem(key, "must be a number (got '" + value + "')");
      return null;
    }
  }

  /** A duration: a number of seconds, or {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}. */
  public Duration duration(String key, Duration defaultValue) {
    Object value = json.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    Matcher m = DURATION.matcher(value.toString().trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      problem(key, "must be a duration such as 500ms, 30s, 2m or 1h (got '" + value + "')");
      return defaultValue;
    }
    double amount = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    double millis = switch (unit) {
      case "ms" -> amount;
      case "m" -> amount * 60_000;
      case "h" -> amount * 3_600_000;
      default -> amount * 1000;
    };
    return Duration.ofMillis((long) millis);
  }

  /** A size in bytes: a number, or {@code 512KB}, {@code 10MB}, {@code 1GiB}. */
  public long bytes(String key, long defaultValue) {
    Object value = json.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    Matcher m = SIZE.matcher(value.toString().trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      problem(key, "must be a size such as 65536, 512KB or 10MB (got '" + value + "')");
      return defaultValue;
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2);
    long factor = switch (unit) {
      case "kb", "kib" -> 1024L;
      case "mb", "mib" -> 1024L * 1024;
      case "gb", "gib" -> 1024L * 1024 * 1024;
      default -> 1L;
    };
    if (n <= 0) {
      problem(key, "must be greater than 0");
      return defaultValue;
    }
    return n * factor;
  }

  /** A free-form mapping passed on as is. */
  public JsonObject object(String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return new JsonObject();
    }
    if (!(value instanceof JsonObject o)) {
      problem(key, "must be a mapping");
      return new JsonObject();
    }
    return o;
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}

package ai.poncho.config;

import java.util.Set;

/**
 * Logging: {@code log.*}. {@code format} is {@code json} (one JSON object per line, for log shippers)
 * or {@code text}; {@code level} (when set) is the root level, otherwise logback.xml's
 * ({@code PONCHO_LOG_LEVEL}, INFO).
 */
public record LogConfig(String format, String level) {

  public static final String JSON = "json";
  public static final String TEXT = "text";
  private static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warn", "error", "off");

  static LogConfig from(ConfigReader reader) {
    String format = reader.oneOf("format", TEXT, Set.of(JSON, TEXT));
    String level = reader.oneOf("level", null, LEVELS);
    return new LogConfig(format, level);
  }
}

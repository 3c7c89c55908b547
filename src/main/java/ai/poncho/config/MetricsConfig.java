package ai.poncho.config;

/**
 * Metrics: {@code metrics.*}. {@code registry_name} names the Micrometer registry of this node; give each
 * Vert.x instance in one JVM its own (tests do).
 */
public record MetricsConfig(boolean enabled, String registryName) {

  static MetricsConfig from(ConfigReader reader) {
    return new MetricsConfig(reader.bool("enabled", true), reader.string("registry_name", "poncho"));
  }
}

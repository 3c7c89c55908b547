package ai.poncho.config;

import java.time.Duration;

/**
 * Metrics: {@code metrics.*}. {@code registry_name} names the Micrometer registry of this node; give each
 * Vert.x instance in one JVM its own (tests do). {@code key_label_limit} caps the distinct values of the
 * {@code key} and of the {@code team} label of the per-key meters (later ones are counted as {@code other});
 * {@code redis_ping_interval} is how often the metrics verticle pings the state backend's Redis for
 * {@code poncho_redis_up} (with {@code state.backend: redis}). {@code vertx_http_client} turns on Vert.x's own
 * meters of the upstream HTTP client ({@code vertx_http_client_*}): off by default, since they cost a tag set and
 * a registry lookup per upstream call (~2-3 % of a proxied call's CPU) and repeat what the gateway's
 * per-model, attempt and pool meters say.
 */
public record MetricsConfig(boolean enabled, String registryName, int keyLabelLimit, Duration redisPingInterval,
                            boolean vertxHttpClient) {

  public MetricsConfig(boolean enabled, String registryName) {
    this(enabled, registryName, 100, Duration.ofSeconds(10), false);
  }

  static MetricsConfig from(ConfigReader reader) {
    Duration ping = reader.duration("redis_ping_interval", Duration.ofSeconds(10));
    if (ping.toMillis() < 100) {
      reader.problem("redis_ping_interval", "must be at least 100ms");
    }
    return new MetricsConfig(reader.bool("enabled", true), reader.string("registry_name", "poncho"),
        reader.integer("key_label_limit", 100, 1, 10_000), ping, reader.bool("vertx_http_client", false));
  }
}

package ai.poncho.config;

import java.time.Duration;

/** The HTTP front end: {@code http.*}. */
public record HttpConfig(String host, int port, int instances, long maxBodyBytes, Duration requestTimeout,
                         Duration shutdownTimeout, boolean accessLog) {

  public static final int DEFAULT_PORT = 8080;

  static HttpConfig from(ConfigReader reader) {
    return new HttpConfig(reader.string("host", "0.0.0.0"), reader.integer("port", DEFAULT_PORT, 0, 65535),
        reader.integer("instances", 0, 0, 1024), reader.bytes("max_body_size", 10L * 1024 * 1024),
        reader.duration("request_timeout", Duration.ofMinutes(10)), reader.duration("shutdown_timeout",
        Duration.ofSeconds(30)), reader.bool("access_log", true));
  }

  /** Instances to deploy: configured, or one per core. */
  public int effectiveInstances() {
    return instances > 0 ? instances : Runtime.getRuntime().availableProcessors();
  }
}

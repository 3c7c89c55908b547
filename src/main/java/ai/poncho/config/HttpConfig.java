package ai.poncho.config;

import java.time.Duration;
import java.util.List;

/**
 * The HTTP front end: {@code http.*}. {@code max_header_size} and {@code max_url_length} stop oversized
 * requests before any auth work; {@code cors.allowed_origins} turns CORS on for those origins only (off by
 * default); {@code tls} is {@link TlsConfig}.
 */
public record HttpConfig(String host, int port, int instances, long maxBodyBytes, Duration requestTimeout,
                         Duration shutdownTimeout, boolean accessLog, int maxHeaderSize, int maxUrlLength,
                         List<String> corsOrigins, TlsConfig tls) {

  public static final int DEFAULT_PORT = 8080;

  static HttpConfig from(ConfigReader reader) {
    List<String> origins = reader.section("cors").strings("allowed_origins");
    for (String origin : origins) {
      if (!origin.equals("*") && !origin.matches("https?://[^/\\s]+")) {
        reader.section("cors").problem("allowed_origins", "must list origins such as https://app.example.com (got '"
            + origin + "')");
      }
    }
    return new HttpConfig(reader.string("host", "0.0.0.0"), reader.integer("port", DEFAULT_PORT, 0, 65535),
        reader.integer("instances", 0, 0, 1024), reader.bytes("max_body_size", 10L * 1024 * 1024),
        reader.duration("request_timeout", Duration.ofMinutes(10)), reader.duration("shutdown_timeout",
        Duration.ofSeconds(30)), reader.bool("access_log", true),
        (int) Math.min(Integer.MAX_VALUE, reader.bytes("max_header_size", 8 * 1024)),
        reader.integer("max_url_length", 4096, 256, 1024 * 1024), List.copyOf(origins),
        TlsConfig.from(reader.section("tls")));
  }

  /** Instances to deploy: configured, or one per core. */
  public int effectiveInstances() {
    return instances > 0 ? instances : Runtime.getRuntime().availableProcessors();
  }
}

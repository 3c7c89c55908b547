package ai.poncho.config;

import java.time.Duration;

/**
 * The inbound vendor APIs besides OpenAI chat: {@code api.*}. {@code ping_interval} spaces the
 * {@code ping} keep-alive events of Anthropic streams (0: only the one after message_start), so proxies
 * and clients do not drop a stream while a model thinks.
 */
public record ApiConfig(Duration pingInterval) {

  static ApiConfig from(ConfigReader reader) {
    return new ApiConfig(reader.duration("ping_interval", Duration.ofSeconds(10)));
  }
}

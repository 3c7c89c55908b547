package ai.poncho.config;

import java.time.Duration;

/**
 * Model dispatch: {@code dispatch.*}. {@code stream_window} is the number of chunks a stream may have
 * in flight on the event bus before the producer must wait for credit; {@code stream_stall_timeout}
 * cancels a stream whose consumer granted no credit for that long (its node is gone).
 */
public record DispatchConfig(int instances, int streamWindow, Duration streamStallTimeout) {

  static DispatchConfig from(ConfigReader reader) {
    return new DispatchConfig(reader.integer("instances", 0, 0, 1024), reader.integer("stream_window", 16, 1, 4096),
        reader.duration("stream_stall_timeout", Duration.ofSeconds(60)));
  }

  public int effectiveInstances() {
    return instances > 0 ? instances : Runtime.getRuntime().availableProcessors();
  }
}

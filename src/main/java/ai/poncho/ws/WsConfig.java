package ai.poncho.ws;

import ai.poncho.config.ConfigReader;
import java.time.Duration;

/**
 * The WebSocket API: {@code ws.*}.
 *
 * @param maxInFlight       generations one socket may run at once; more get an error frame
 * @param maxFrameSize      largest single frame accepted (bigger: close 1009)
 * @param maxMessageSize    largest message accepted after joining continuation frames (bigger: close 1009)
 * @param pingInterval      a socket silent this long gets a ping control frame
 * @param keepAliveTimeout  a socket silent this long (not even a pong) is closed as dead
 * @param shutdownTimeout   how long a graceful shutdown waits for in-flight generations before closing
 * @param maxProtocolErrors malformed frames tolerated on one socket before it is closed with 1008
 */
public record WsConfig(int maxInFlight, int maxFrameSize, int maxMessageSize, Duration pingInterval,
                       Duration keepAliveTimeout, Duration shutdownTimeout, int maxProtocolErrors) {

  private static final long MAX_SIZE = 64L * 1024 * 1024;

  public static WsConfig from(ConfigReader reader) {
    int maxInFlight = reader.integer("max_in_flight", 64, 1, 100_000);
    long frame = reader.bytes("max_frame_size", 64L * 1024);
    long message = reader.bytes("max_message_size", 1024L * 1024);
    if (frame > MAX_SIZE) {
      reader.problem("max_frame_size", "must be at most 64MB");
    }
    if (message > MAX_SIZE) {
      reader.problem("max_message_size", "must be at most 64MB");
    }
    if (message < frame) {
      reader.problem("max_message_size", "must be at least max_frame_size");
    }
    Duration ping = reader.duration("ping_interval", Duration.ofSeconds(30));
    Duration keepAlive = reader.duration("keepalive_timeout", Duration.ofSeconds(90));
    if (ping.toMillis() < 1) {
      reader.problem("ping_interval", "must be at least 1ms");
    }
    if (keepAlive.compareTo(ping) <= 0) {
      reader.problem("keepalive_timeout", "must be longer than ping_interval");
    }
    return new WsConfig(maxInFlight, (int) Math.min(frame, MAX_SIZE), (int) Math.min(message, MAX_SIZE), ping,
        keepAlive, reader.duration("shutdown_timeout", Duration.ofSeconds(30)),
        reader.integer("max_protocol_errors", 10, 1, 1_000_000));
  }
}

package ai.poncho.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.poncho.config.ConfigException;
import ai.poncho.config.PonchoConfig;
import ai.poncho.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WsConfigTest {

  @Test
  void defaultsApplyWhenTheSectionIsAbsent() {
    WsConfig ws = PonchoConfig.from(TestServer.config()).ws();
    assertThat(ws.maxInFlight()).isEqualTo(64);
    assertThat(ws.maxFrameSize()).isEqualTo(64 * 1024);
    assertThat(ws.maxMessageSize()).isEqualTo(1024 * 1024);
    assertThat(ws.pingInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(ws.keepAliveTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(ws.shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(ws.maxProtocolErrors()).isEqualTo(10);
  }

  @Test
  void valuesAreReadWithUnits() {
    WsConfig ws = PonchoConfig.from(TestServer.config().put("ws", new JsonObject().put("max_in_flight", "8")
        .put("max_frame_size", "16KB").put("max_message_size", "2MB").put("ping_interval", "5s")
        .put("keepalive_timeout", "1m").put("shutdown_timeout", "2s").put("max_protocol_errors", 3))).ws();
    assertThat(ws).isEqualTo(new WsConfig(8, 16 * 1024, 2 * 1024 * 1024, Duration.ofSeconds(5),
        Duration.ofMinutes(1), Duration.ofSeconds(2), 3));
  }

  @Test
  void everyProblemIsReportedWithItsPath() {
    JsonObject config = TestServer.config().put("ws", new JsonObject().put("max_in_flight", 0)
        .put("max_frame_size", "1MB").put("max_message_size", "64KB").put("ping_interval", "30s")
        .put("keepalive_timeout", "10s").put("shutdown_timeout", "soon"));
    ConfigException failure = catchThrowableOfType(ConfigException.class, () -> PonchoConfig.from(config));
    assertThat(failure.problems()).anySatisfy(p -> assertThat(p).startsWith("ws.max_in_flight:"))
        .anySatisfy(p -> assertThat(p).startsWith("ws.max_message_size:"))
        .anySatisfy(p -> assertThat(p).startsWith("ws.keepalive_timeout:"))
        .anySatisfy(p -> assertThat(p).startsWith("ws.shutdown_timeout:"));
  }
}

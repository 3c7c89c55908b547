package ai.poncho.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.poncho.config.ConfigException;
import ai.poncho.config.LogConfig;
import ai.poncho.config.PonchoConfig;
import ai.poncho.testing.JsonLogLines;
import ai.poncho.testing.TestServer;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** {@code log.format}: the console encoder's JSON lines and text lines, and the config keys. */
class LogFormatTest {

  private static final LoggerContext CONTEXT = (LoggerContext) LoggerFactory.getILoggerFactory();

  private static String encode(String format, LoggingEvent event) {
    LogEncoder encoder = new LogEncoder();
    encoder.setContext(CONTEXT);
    encoder.setFormat(format);
    encoder.start();
    try {
      return new String(encoder.encode(event), StandardCharsets.UTF_8);
    } finally {
      encoder.stop();
    }
  }

  private static LoggingEvent event(Throwable failure) {
    Logger logger = CONTEXT.getLogger("ai.poncho.example");
    return new LoggingEvent(Logger.class.getName(), logger, Level.WARN, "Something {} failed", failure,
        new Object[] {"upstream"});
  }

  @Test
  void jsonIsOneObjectPerLineWithTheFieldNamesAndTheStackTraceAsAField() {
    String line = encode("json", event(new IllegalStateException("broken", new RuntimeException("cause"))));
    assertThat(line).endsWith("\n");
    assertThat(line.strip()).doesNotContain("\n");
    JsonObject json = new JsonObject(line);
    assertThat(json.getString("ts")).endsWith("Z");
    assertThat(json.getString("level")).isEqualTo("WARN");
    assertThat(json.getString("logger")).isEqualTo("ai.poncho.example");
    assertThat(json.getString("message")).isEqualTo("Something upstream failed");
    assertThat(json.getString("exception")).startsWith("java.lang.IllegalStateException: broken")
        .contains("Caused by: java.lang.RuntimeException: cause").contains("\tat ");
    assertThat(json.containsKey("request_id")).isFalse();
    assertThat(json.containsKey("trace_id")).isFalse();
  }

  @Test
  void aLineLoggedInsideAValidSpanNamesItsTraceAndSpan() {
    SpanContext span = SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
        TraceFlags.getSampled(), TraceState.getDefault());
    try (JsonLogLines log = JsonLogLines.capture()) {
      try (Scope scope = Span.wrap(span).makeCurrent()) {
        LoggerFactory.getLogger("ai.poncho.example").info("inside a span");
      }
      LoggerFactory.getLogger("ai.poncho.example").info("outside any span");
      await().atMost(Duration.ofSeconds(10)).until(() -> log.lines().size() >= 2);
      JsonObject inside = log.lines().stream().filter(l -> l.getString("message").equals("inside a span")).findFirst()
          .orElseThrow();
      assertThat(inside.getString("trace_id")).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
      assertThat(inside.getString("span_id")).isEqualTo("00f067aa0ba902b7");
      JsonObject outside = log.lines().stream().filter(l -> l.getString("message").equals("outside any span"))
          .findFirst().orElseThrow();
      assertThat(outside.containsKey("trace_id")).isFalse();
      assertThat(outside.containsKey("span_id")).isFalse();
    }
  }

  @Test
  void textIsOneReadableLine() {
    String line = encode("text", event(null));
    assertThat(line).contains("WARN").contains("ai.poncho.example").contains("Something upstream failed")
        .endsWith("\n");
    assertThat(line.strip()).doesNotStartWith("{");
    assertThat(line).contains("ai.poncho.example - Something");
    LoggingEvent inRequest = event(null);
    inRequest.setMDCPropertyMap(java.util.Map.of("request_id", "req-text-1"));
    assertThat(encode("text", inRequest)).contains("ai.poncho.example [req-text-1] - Something upstream failed");
  }

  @Test
  void formatAndLevelAreValidatedAndDefaultToText() {
    assertThat(PonchoConfig.from(TestServer.config()).log()).isEqualTo(new LogConfig("text", null));
    assertThat(PonchoConfig.from(TestServer.config().put("log", new JsonObject().put("format", "json")
        .put("level", "debug"))).log()).isEqualTo(new LogConfig("json", "debug"));
    assertThatThrownBy(() -> PonchoConfig.from(TestServer.config().put("log", new JsonObject().put("format", "xml"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("log.format");
    assertThatThrownBy(() -> PonchoConfig.from(TestServer.config().put("log", new JsonObject().put("level", "loud"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("log.level");
  }
}

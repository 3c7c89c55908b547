package ai.poncho.ws;

import static net.logstash.logback.argument.StructuredArguments.keyValue;
import static net.logstash.logback.argument.StructuredArguments.value;

import ai.poncho.chat.Usage;
import ai.poncho.http.AccessLog;
import java.util.ArrayList;
import java.util.List;

/**
 * The access log of the WebSocket API: the handshake gets a line when the socket closes, and each
 * generation gets one line of its own (logger {@code poncho.access}) when its last frame goes out,
 * logged on the generation's context so it carries the generation's request id. Fields as in the HTTP
 * access line: {@code path}, {@code generation} (the client's id), {@code status} (200 done, 499
 * cancelled, the error's HTTP status), {@code finish_reason} or {@code error_code}, {@code duration_ms},
 * and when known {@code served_model}, {@code cache} and the reported tokens.
 */
final class GenerationLog {

  private final boolean enabled;

  GenerationLog(boolean enabled) {
    this.enabled = enabled && AccessLog.enabled();
  }

  /** How a generation ended, for its line. */
  record Outcome(int status, String finishReason, String errorCode, String model, Usage usage, String cache) {

    static Outcome done(String finishReason, String model, Usage usage, String cache) {
      return new Outcome(200, finishReason, null, model, usage, cache);
    }

    static Outcome cancelled(String model) {
      return new Outcome(499, "cancelled", null, model, null, null);
    }

    static Outcome failed(int status, String errorCode) {
      return new Outcome(status, null, errorCode, null, null, null);
    }
  }

  void ended(Generation generation, Outcome outcome) {
    if (!enabled) {
      return;
    }
    generation.context.dispatch(v -> log(generation, outcome));
  }

  /**
   * The handshake's own line, written when the socket closes on the handshake's context: {@code method},
   * {@code path}, {@code status} 101, {@code duration_ms} (the socket's lifetime), {@code generations}
   * started and the {@code close_code}.
   */
  void socketClosed(long openedNanos, int generations, Short closeCode) {
    if (!enabled) {
      return;
    }
    List<Object> fields = new ArrayList<>(List.of(value("method", "GET"), value("path", WsEndpoint.PATH),
        value("status", 101), value("duration_ms", (System.nanoTime() - openedNanos) / 1_000_000),
        keyValue("generations", generations)));
    if (closeCode != null) {
      fields.add(keyValue("close_code", closeCode));
    }
    AccessLog.write("{} {} {} {}ms", fields, null);
  }

  private static void log(Generation generation, Outcome outcome) {
    List<Object> fields = new ArrayList<>(List.of(value("path", WsEndpoint.PATH),
        value("generation", generation.id), value("status", outcome.status()),
        value("duration_ms", (System.nanoTime() - generation.arrived) / 1_000_000)));
    if (outcome.finishReason() != null) {
      fields.add(keyValue("finish_reason", outcome.finishReason()));
    }
    if (outcome.errorCode() != null) {
      fields.add(keyValue("error_code", outcome.errorCode()));
    }
    if (outcome.model() != null) {
      fields.add(keyValue("served_model", outcome.model()));
    }
    if (outcome.cache() != null) {
      fields.add(keyValue("cache", outcome.cache()));
    }
    AccessLog.write("WS {} {} {} {}ms", fields, outcome.usage());
  }
}

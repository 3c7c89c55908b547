package ai.poncho.provider.http;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Incremental Server-Sent Events parser (WHATWG rules): buffers may split lines (and UTF-8 characters)
 * anywhere; lines end with LF, CR or CRLF; {@code :} lines are comments; several {@code data:} lines
 * of one event are joined with newlines; a blank line dispatches the event.
 */
public final class SseParser {

  /** Receives each complete event; {@code event} is "message" when the upstream named none. */
  @FunctionalInterface
  public interface Listener {
    void onEvent(String event, String data);
  }

  private final Listener listener;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
  private final StringBuilder data = new StringBuilder();
  private String eventType;
  private boolean hasData;
  private boolean skipLf;

  public SseParser(Listener listener) {
    this.listener = listener;
  }

  public void feed(Buffer buffer) {
    byte[] bytes = buffer.getBytes();
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      byte b = bytes[i];
      if (skipLf) {
        skipLf = false;
        if (b == '\n') {
          start = i + 1;
          continue;
        }
      }
      if (b == '\n' || b == '\r') {
        line.write(bytes, start, i - start);
        start = i + 1;
        skipLf = b == '\r';
        onLine(line.toString(StandardCharsets.UTF_8));
        line.reset();
      }
    }
    line.write(bytes, start, bytes.length - start);
  }

  /** End of input: a last line or event without its terminating blank line is still delivered. */
  public void finish() {
    if (line.size() > 0) {
      onLine(line.toString(StandardCharsets.UTF_8));
      line.reset();
    }
    onLine("");
  }

  private void onLine(String text) {
    if (text.isEmpty()) {
      dispatch();
      return;
    }
    if (text.charAt(0) == ':') {
      return;
    }
    int colon = text.indexOf(':');
    String field = colon < 0 ? text : text.substring(0, colon);
    String value = colon < 0 ? "" : text.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "event" -> eventType = value;
      case "data" -> {
        if (hasData) {
          data.append('\n');
        }
        data.append(value);
        hasData = true;
      }
      default -> {
        // id, retry and unknown fields carry nothing a chat stream needs
      }
    }
  }

  private void dispatch() {
    if (hasData) {
      listener.onEvent(eventType == null || eventType.isEmpty() ? "message" : eventType, data.toString());
    }
    data.setLength(0);
    hasData = false;
    eventType = null;
  }
}

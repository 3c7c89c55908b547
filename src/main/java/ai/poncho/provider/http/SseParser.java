package ai.poncho.provider.http;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Incremental Server-Sent Events parser (WHATWG rules): buffers may split lines (and UTF-8 characters)
 * anywhere; lines end with LF, CR or CRLF; {@code :} lines are comments; several {@code data:} lines
 * of one event are joined with newlines; a blank line dispatches the event. Lines are read as bytes and
 * only a field's value becomes a string, once.
 */
public final class SseParser {

  /** Receives each complete event; {@code event} is "message" when the upstream named none. */
  @FunctionalInterface
  public interface Listener {
    void onEvent(String event, String data);
  }

  private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EVENT = "event".getBytes(StandardCharsets.US_ASCII);

  private final Listener listener;
  /** The start of a line that the previous buffer did not finish. */
  private byte[] line = new byte[256];
  private int lineLength;
  private String data;
  private StringBuilder moreData;
  private String eventType;
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
        skipLf = b == '\r';
        if (lineLength == 0) {
          onLine(bytes, start, i);
        } else {
          keep(bytes, start, i);
          onLine(line, 0, lineLength);
          lineLength = 0;
        }
        start = i + 1;
      }
    }
    keep(bytes, start, bytes.length);
  }

  /** End of input: a last line or event without its terminating blank line is still delivered. */
  public void finish() {
    if (lineLength > 0) {
      onLine(line, 0, lineLength);
      lineLength = 0;
    }
    dispatch();
  }

  private void keep(byte[] bytes, int from, int to) {
    int length = to - from;
    if (length > 0) {
      if (lineLength + length > line.length) {
        line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + length));
      }
      System.arraycopy(bytes, from, line, lineLength, length);
      lineLength += length;
    }
  }

  private void onLine(byte[] bytes, int from, int to) {
    if (from == to) {
      dispatch();
      return;
    }
    if (bytes[from] == ':') {
      return;
    }
    int colon = from;
    while (colon < to && bytes[colon] != ':') {
      colon++;
    }
    int value = colon < to ? colon + 1 : to;
    if (value < to && bytes[value] == ' ') {
      value++;
    }
    if (is(bytes, from, colon, DATA)) {
      addData(new String(bytes, value, to - value, StandardCharsets.UTF_8));
    } else if (is(bytes, from, colon, EVENT)) {
      eventType = new String(bytes, value, to - value, StandardCharsets.UTF_8);
    }
    // id, retry and unknown fields carry nothing a chat stream needs
  }

  private void addData(String value) {
    if (data == null) {
      data = value;
      return;
    }
    if (moreData == null) {
      moreData = new StringBuilder();
    }
    if (moreData.length() == 0) {
      moreData.append(data);
    }
    moreData.append('\n').append(value);
  }

  private static boolean is(byte[] bytes, int from, int to, byte[] name) {
    return to - from == name.length && Arrays.equals(bytes, from, to, name, 0, name.length);
  }

  private void dispatch() {
    if (data != null) {
      String joined = moreData != null && moreData.length() > 0 ? moreData.toString() : data;
      listener.onEvent(eventType == null || eventType.isEmpty() ? "message" : eventType, joined);
    }
    data = null;
    if (moreData != null) {
      moreData.setLength(0);
    }
    eventType = null;
  }
}

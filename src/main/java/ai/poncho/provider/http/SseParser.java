package ai.poncho.provider.http;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Incremental Server-Sent Events parser (WHATWG rules): buffers may split lines (and UTF-8 characters)
 * anywhere; lines end with LF, CR or CRLF; {@code :} lines are comments; several {@code data:} lines
 * of one event are joined with newlines; a blank line dispatches the event. Lines are read as bytes, in
 * place when the buffer has an array, and an event's data can be handed on as its UTF-8 bytes
 * ({@link RawListener}), so that a reader that scans bytes never needs it as a string.
 */
public final class SseParser {

  /** Receives each complete event; {@code event} is "message" when the upstream named none. */
  @FunctionalInterface
  public interface Listener {
    void onEvent(String event, String data);
  }

  /** As {@link Listener}, with the data as the UTF-8 bytes {@code data[from, to)}, valid during the call only. */
  @FunctionalInterface
  public interface RawListener {
    void onEvent(String event, byte[] data, int from, int to);
  }

  private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EVENT = "event".getBytes(StandardCharsets.US_ASCII);

  private final RawListener listener;
  /** The start of a line that the previous buffer did not finish. */
  private byte[] line = new byte[256];
  private int lineLength;
  /** The current event's data lines, joined with newlines; {@code hasData} once it has a data line. */
  private byte[] data = new byte[512];
  private int dataLength;
  private boolean hasData;
  private String eventType;
  private boolean skipLf;

  public SseParser(Listener listener) {
    this((RawListener) (event, data, from, to) ->
        listener.onEvent(event, new String(data, from, to - from, StandardCharsets.UTF_8)));
  }

  public SseParser(RawListener listener) {
    this.listener = listener;
  }

  public void feed(Buffer buffer) {
    byte[] bytes;
    int start;
    int end;
    ByteBuf bytebuf = buffer instanceof BufferInternal internal ? internal.getByteBuf() : null;
    if (bytebuf != null && bytebuf.hasArray()) {
      // a received buffer is a heap copy already: read it where it is instead of copying it again
      bytes = bytebuf.array();
      start = bytebuf.arrayOffset() + bytebuf.readerIndex();
      end = start + bytebuf.readableBytes();
    } else {
      bytes = buffer.getBytes();
      start = 0;
      end = bytes.length;
    }
    if (skipLf && start < end) {
      skipLf = false;
      if (bytes[start] == '\n') {
        start++;
      }
    }
    while (start < end) {
      int i = start;
      while (i < end && bytes[i] != '\n' && bytes[i] != '\r') {
        i++;
      }
      if (i == end) {
        break;
      }
      if (lineLength == 0) {
        onLine(bytes, start, i);
      } else {
        keep(bytes, start, i);
        onLine(line, 0, lineLength);
        lineLength = 0;
      }
      start = i + 1;
      if (bytes[i] == '\r') {
        if (start == end) {
          skipLf = true;
        } else if (bytes[start] == '\n') {
          start++;
        }
      }
    }
    keep(bytes, start, end);
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
      addData(bytes, value, to);
    } else if (is(bytes, from, colon, EVENT)) {
      eventType = new String(bytes, value, to - value, StandardCharsets.UTF_8);
    }
    // id, retry and unknown fields carry nothing a chat stream needs
  }

  private void addData(byte[] bytes, int from, int to) {
    int length = to - from + (hasData ? 1 : 0);
    if (dataLength + length > data.length) {
      data = Arrays.copyOf(data, Math.max(data.length * 2, dataLength + length));
    }
    if (hasData) {
      data[dataLength++] = '\n';
    }
    System.arraycopy(bytes, from, data, dataLength, to - from);
    dataLength += to - from;
    hasData = true;
  }

  private static boolean is(byte[] bytes, int from, int to, byte[] name) {
    return to - from == name.length && Arrays.equals(bytes, from, to, name, 0, name.length);
  }

  private void dispatch() {
    boolean deliver = hasData;
    int length = dataLength;
    String type = eventType == null || eventType.isEmpty() ? "message" : eventType;
    hasData = false;
    dataLength = 0;
    eventType = null;
    if (deliver) {
      listener.onEvent(type, data, 0, length);
    }
  }
}

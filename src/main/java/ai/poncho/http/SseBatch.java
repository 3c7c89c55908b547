package ai.poncho.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * Named SSE events gathered for one socket write: the events of one upstream read go out together,
 * flushed at the read's end, so a stream costs one write per network read rather than one per event.
 */
public final class SseBatch {

  private final HttpServerResponse response;
  private Buffer pending = Buffer.buffer(1024);

  public SseBatch(HttpServerResponse response) {
    this.response = response;
  }

  public void add(String type, Buffer data) {
    pending.appendString("event: ").appendString(type).appendString("\ndata: ").appendBuffer(data)
        .appendString("\n\n");
  }

  /** Writes what was gathered; true when the response's write queue is now full (pause the source). */
  public boolean flush() {
    if (pending.length() > 0 && !response.closed()) {
      response.write(take());
      return response.writeQueueFull();
    }
    return false;
  }

  /** What was gathered and not written yet, for the response's last write. */
  public Buffer take() {
    Buffer buffer = pending;
    pending = Buffer.buffer(1024);
    return buffer;
  }
}

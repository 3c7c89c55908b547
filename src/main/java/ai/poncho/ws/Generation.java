package ai.poncho.ws;

import ai.poncho.bus.RemoteChatStream;

/**
 * One in-flight generation of a socket. Until its stream is open it can only be marked cancelled; the
 * opener then cancels the stream as soon as it arrives.
 */
final class Generation {

  final String id;
  RemoteChatStream stream;
  boolean cancelled;

  Generation(String id) {
    this.id = id;
  }

  /** Stops the upstream (or marks it to be stopped once open); returns the serving model, if known. */
  String cancel() {
    cancelled = true;
    if (stream == null) {
      return null;
    }
    stream.cancel();
    return stream.model();
  }
}

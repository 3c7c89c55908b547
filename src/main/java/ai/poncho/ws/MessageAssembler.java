package ai.poncho.ws;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Joins data frames into text messages, enforcing the message size limit (the frame limit is enforced
 * by the server's decoder) and strict UTF-8, and refusing binary data. Control frames are not its business.
 */
final class MessageAssembler {

  /** Why the socket must be closed. */
  record Violation(short code, String reason) {
  }

  private final int maxMessageSize;
  private final Consumer<String> onMessage;
  private final Consumer<Violation> onViolation;
  private Buffer pending;
  private boolean failed;

  MessageAssembler(int maxMessageSize, Consumer<String> onMessage, Consumer<Violation> onViolation) {
    this.maxMessageSize = maxMessageSize;
    this.onMessage = onMessage;
    this.onViolation = onViolation;
  }

  void frame(WebSocketFrame frame) {
    if (failed) {
      return;
    }
    if (frame.isBinary()) {
      fail(CloseCodes.UNSUPPORTED_DATA, "binary frames are not supported; send JSON text");
      return;
    }
    if (!frame.isText() && !frame.isContinuation()) {
      return;
    }
    if (frame.isText()) {
      pending = Buffer.buffer();
    } else if (pending == null) {
      return;
    }
    Buffer data = frame.binaryData();
    if (pending.length() + data.length() > maxMessageSize) {
      fail(CloseCodes.MESSAGE_TOO_BIG, "message larger than " + maxMessageSize + " bytes");
      return;
    }
    pending.appendBuffer(data);
    if (frame.isFinal()) {
      Buffer message = pending;
      pending = null;
      String text = decode(message);
      if (text == null) {
        fail(CloseCodes.INVALID_PAYLOAD, "text message is not valid UTF-8");
      } else {
        onMessage.accept(text);
      }
    }
  }

  private void fail(short code, String reason) {
    failed = true;
    pending = null;
    onViolation.accept(new Violation(code, reason));
  }

  private static String decode(Buffer bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.getBytes())).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}

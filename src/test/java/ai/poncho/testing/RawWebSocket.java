package ai.poncho.testing;

import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A bare RFC 6455 client over a TCP socket, for what a well-behaved client library will not do: send
 * invalid UTF-8, or never answer a ping. Records the frames the server sends.
 */
public final class RawWebSocket {

  /** A frame from the server: opcode and payload. */
  public record Frame(int opcode, Buffer payload) {
    public static final int TEXT = 0x1;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;

    public int closeCode() {
      return payload.length() >= 2 ? payload.getUnsignedShort(0) : -1;
    }
  }

  private final NetClient client;
  private final NetSocket socket;
  private final List<Frame> frames = new CopyOnWriteArrayList<>();
  private Buffer pending = Buffer.buffer();
  private boolean upgraded;
  private volatile boolean closed;

  private RawWebSocket(NetClient client, NetSocket socket) {
    // Vert.x closes a client that becomes unreachable, sockets included: hold on to it.
    this.client = client;
    this.socket = socket;
    socket.handler(this::onData);
    socket.closeHandler(v -> closed = true);
  }

  public static RawWebSocket connect(Vertx vertx, int port, String path) {
    NetClient client = vertx.createNetClient();
    RawWebSocket ws = new RawWebSocket(client, TestServer.await(client.connect(port, "127.0.0.1")));
    byte[] key = new byte[16];
    ThreadLocalRandom.current().nextBytes(key);
    TestServer.await(ws.socket.write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
        + Base64.getEncoder().encodeToString(key) + "\r\n\r\n"));
    await().atMost(Duration.ofSeconds(60)).until(() -> ws.upgraded);
    return ws;
  }

  /** Sends one masked frame, as a client must. */
  public void send(int opcode, byte[] payload, boolean fin) {
    Buffer frame = Buffer.buffer().appendByte((byte) ((fin ? 0x80 : 0) | opcode));
    if (payload.length < 126) {
      frame.appendByte((byte) (0x80 | payload.length));
    } else {
      frame.appendByte((byte) (0x80 | 126)).appendUnsignedShort(payload.length);
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    frame.appendBytes(mask);
    byte[] masked = new byte[payload.length];
    for (int i = 0; i < payload.length; i++) {
      masked[i] = (byte) (payload[i] ^ mask[i % 4]);
    }
    TestServer.await(socket.write(frame.appendBytes(masked)));
  }

  public List<Frame> frames() {
    return List.copyOf(frames);
  }

  public boolean isClosed() {
    return closed;
  }

  public void close() {
    TestServer.await(socket.close());
    TestServer.await(client.close());
  }

  private void onData(Buffer data) {
    pending.appendBuffer(data);
    if (!upgraded) {
      String head = pending.toString(StandardCharsets.ISO_8859_1);
      int end = head.indexOf("\r\n\r\n");
      if (end < 0) {
        return;
      }
      if (!head.startsWith("HTTP/1.1 101")) {
        throw new IllegalStateException("handshake refused: " + head);
      }
      upgraded = true;
      pending = pending.getBuffer(end + 4, pending.length());
    }
    while (pending.length() >= 2) {
      int length = pending.getByte(1) & 0x7f;
      int header = 2;
      if (length == 126) {
        if (pending.length() < 4) {
          return;
        }
        length = pending.getUnsignedShort(2);
        header = 4;
      } else if (length == 127) {
        if (pending.length() < 10) {
          return;
        }
        length = (int) pending.getLong(2);
        header = 10;
      }
      if (pending.length() < header + length) {
        return;
      }
      frames.add(new Frame(pending.getByte(0) & 0x0f, pending.getBuffer(header, header + length)));
      pending = pending.getBuffer(header + length, pending.length());
    }
  }
}

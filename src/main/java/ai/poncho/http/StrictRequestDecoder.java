package ai.poncho.http;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Vert.x's HTTP/1.x request decoder with two refusals Netty leaves out: a request with both
 * {@code Content-Length} and {@code Transfer-Encoding} (Netty silently drops the length, but a proxy in
 * front may have read the other one: the classic request-smuggling ambiguity), and a protocol version
 * other than HTTP/1.0 and HTTP/1.1. Both become decoder failures, which the server's invalid-request
 * handler answers ({@link InvalidRequests}).
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {

  private static final String NAME = "httpDecoder";

  /** The request framing is ambiguous: both Content-Length and Transfer-Encoding. */
  static final class AmbiguousFraming extends RuntimeException {
    AmbiguousFraming() {
      super("Content-Length and Transfer-Encoding together", null, false, false);
    }
  }

  /** The request line names a protocol version this server does not speak. */
  static final class UnsupportedVersion extends RuntimeException {
    UnsupportedVersion(HttpVersion version) {
      super(version.text(), null, false, false);
    }
  }

  private StrictRequestDecoder(HttpServerOptions options) {
    super(options);
  }

  /** Replaces the connection's decoder before it reads its first request (HTTP/2 connections have none). */
  static void install(HttpConnection connection, HttpServerOptions options) {
    if (connection instanceof ConnectionBase base) {
      ChannelPipeline pipeline = base.channel().pipeline();
      if (pipeline.get(NAME) instanceof VertxHttpRequestDecoder decoder && !(decoder instanceof StrictRequestDecoder)) {
        pipeline.replace(NAME, NAME, new StrictRequestDecoder(options));
      }
    }
  }

  /** Called once the headers are read, after Netty set its own decoder result (which would hide ours). */
  @Override
  protected boolean isContentAlwaysEmpty(HttpMessage message) {
    HttpVersion version = message.protocolVersion();
    // By identity, as Vert.x maps versions: "http/1.1" equals HTTP_1_1 but is not the token HTTP/1.1.
    if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
      message.setDecoderResult(DecoderResult.failure(new UnsupportedVersion(version)));
    }
    return super.isContentAlwaysEmpty(message);
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    super.handleTransferEncodingChunkedWithContentLength(message);
    message.setDecoderResult(DecoderResult.failure(new AmbiguousFraming()));
  }
}

package ai.poncho.ws;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

/**
 * Pings a socket that has been silent for the ping interval and reports it dead once it has been silent
 * (no frame at all, pongs included) for the keep-alive timeout.
 */
final class KeepAlive {

  private static final Buffer PING = Buffer.buffer("poncho");

  private final Vertx vertx;
  private final ServerWebSocket ws;
  private final long pingIntervalMs;
  private final long timeoutMs;
  private final Runnable onDead;
  private long lastSeen = System.currentTimeMillis();
  private long lastPing;
  private long timer = -1;

  KeepAlive(Vertx vertx, ServerWebSocket ws, WsConfig config, Runnable onDead) {
    this.vertx = vertx;
    this.ws = ws;
    this.pingIntervalMs = config.pingInterval().toMillis();
    this.timeoutMs = config.keepAliveTimeout().toMillis();
    this.onDead = onDead;
  }

  void start() {
    // Checking at half the interval bounds how late a ping or a dead verdict can be.
    timer = vertx.setPeriodic(Math.max(1, pingIntervalMs / 2), id -> check());
  }

  void touch() {
    lastSeen = System.currentTimeMillis();
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  private void check() {
    long now = System.currentTimeMillis();
    if (now - lastSeen >= timeoutMs) {
      stop();
      onDead.run();
    } else if (now - lastSeen >= pingIntervalMs && now - lastPing >= pingIntervalMs) {
      lastPing = now;
      ws.writePing(PING);
    }
  }
}

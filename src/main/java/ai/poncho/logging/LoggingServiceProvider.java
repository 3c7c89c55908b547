package ai.poncho.logging;

import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.spi.VertxServiceProvider;
import java.util.Objects;

/**
 * Loaded by every Vert.x bootstrap (service loader) before the instance exists: registers the request
 * log's context local in time (a local registered later has no slot in existing contexts) and puts
 * the context-aware MDC in front of logback's.
 */
public final class LoggingServiceProvider implements VertxServiceProvider {

  @Override
  public void init(VertxBootstrap bootstrap) {
    // Initialises RequestLog, whose class initialiser registers the local.
    Objects.requireNonNull(RequestLog.LOCAL);
    ContextMdcAdapter.install();
  }
}

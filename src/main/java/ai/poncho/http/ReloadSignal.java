package ai.poncho.http;

import ai.poncho.bus.Addresses;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** SIGHUP makes every HTTP verticle of this process reload its TLS certificate files. */
public final class ReloadSignal {

  private static final Logger LOG = LoggerFactory.getLogger(ReloadSignal.class);

  private ReloadSignal() {
  }

  public static void install(Vertx vertx) {
    try {
      Signal.handle(new Signal("HUP"), signal -> vertx.eventBus().publish(Addresses.TLS_RELOAD, null));
    } catch (IllegalArgumentException unsupported) {
      LOG.info("SIGHUP is not available on this platform; TLS certificates reload on file change only");
    }
  }
}

package ai.poncho.http;

import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One line per finished request, with its request id (logger {@code poncho.access}). */
public final class AccessLog {

  private static final Logger LOG = LoggerFactory.getLogger("poncho.access");

  private AccessLog() {
  }

  public static void attach(RoutingContext ctx) {
    if (LOG.isInfoEnabled()) {
      long start = System.nanoTime();
      ctx.addEndHandler(done -> LOG.info("{} {} {} {} {}ms", RequestContext.id(ctx), ctx.request().method(),
          ctx.request().path(), ctx.response().getStatusCode(), (System.nanoTime() - start) / 1_000_000));
    }
    ctx.next();
  }
}

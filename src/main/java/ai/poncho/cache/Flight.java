package ai.poncho.cache;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;

/**
 * One upstream call that identical concurrent misses on this node wait for. Waiters may sit on other
 * event loops (other dispatch instances); each is completed on its own context.
 */
final class Flight {

  private record Waiter(Context context, Promise<CachedAnswer> promise) {
  }

  private final List<Waiter> waiters = new ArrayList<>();
  private boolean done;
  private CachedAnswer answer;

  void await(Context context, Promise<CachedAnswer> promise) {
    synchronized (this) {
      if (!done) {
        waiters.add(new Waiter(context, promise));
        return;
      }
    }
    context.runOnContext(v -> promise.tryComplete(answer));
  }

  /** The leader's answer, or null when it has none to share (failed, cancelled, not storable). */
  void complete(CachedAnswer result) {
    List<Waiter> waiting;
    synchronized (this) {
      if (done) {
        return;
      }
      done = true;
      answer = result;
      waiting = List.copyOf(waiters);
      waiters.clear();
    }
    waiting.forEach(waiter -> waiter.context().runOnContext(v -> waiter.promise().tryComplete(result)));
  }
}

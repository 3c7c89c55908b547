package ai.poncho.http;

import static net.logstash.logback.argument.StructuredArguments.keyValue;
import static net.logstash.logback.argument.StructuredArguments.value;

import ai.poncho.chat.Usage;
import ai.poncho.logging.RequestLog;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per finished request (logger {@code poncho.access}), with the request's log fields. Each value
 * is a field of its own in JSON lines: {@code method}, {@code path} (never the query string, which may
 * carry a WebSocket key), {@code route} (the matched route's pattern), {@code status}, {@code duration_ms},
 * {@code bytes} (body bytes sent), and when known {@code served_model}, {@code cache} and the tokens the
 * provider reported ({@code prompt_tokens}, {@code completion_tokens}, {@code total_tokens}).
 */
public final class AccessLog {

  private static final Logger LOG = LoggerFactory.getLogger("poncho.access");

  private AccessLog() {
  }

  /** Whether access lines are written at all (the {@code poncho.access} logger at INFO). */
  public static boolean enabled() {
    return LOG.isInfoEnabled();
  }

  public static void attach(RoutingContext ctx) {
    if (enabled()) {
      long start = System.nanoTime();
      RequestLog request = RequestLog.current();
      ctx.addEndHandler(done -> log(ctx, request, (System.nanoTime() - start) / 1_000_000));
    }
    ctx.next();
  }

  private static void log(RoutingContext ctx, RequestLog request, long durationMs) {
    HttpServerResponse response = ctx.response();
    List<Object> fields = new ArrayList<>(List.of(value("method", ctx.request().method().name()),
        value("path", ctx.request().path()), value("status", response.getStatusCode()),
        value("duration_ms", durationMs), keyValue("bytes", response.bytesWritten())));
    Route route = ctx.currentRoute();
    if (route != null && route.getPath() != null) {
      fields.add(keyValue("route", route.getPath()));
    }
    String served = response.headers().get(ChatCompletionsHandler.MODEL_HEADER);
    if (served != null) {
      fields.add(keyValue("served_model", served));
    }
    String cache = response.headers().get(ChatCompletionsHandler.CACHE_HEADER);
    if (cache != null) {
      fields.add(keyValue("cache", cache));
    }
    write("{} {} {} {}ms", fields, request == null ? null : request.usage());
  }

  /**
   * Logs one access line: {@code head} formats the first (positional) fields, each further one is
   * appended as a named field, and the reported tokens, when known, after them.
   */
  public static void write(String head, List<Object> fields, Usage usage) {
    int positional = (head.length() - head.replace("{}", "").length()) / 2;
    if (usage != null) {
      fields.add(keyValue("prompt_tokens", usage.promptTokens()));
      fields.add(keyValue("completion_tokens", usage.completionTokens()));
      fields.add(keyValue("total_tokens", usage.totalTokens()));
    }
    StringBuilder format = new StringBuilder(head);
    for (int i = positional; i < fields.size(); i++) {
      format.append(" {}");
    }
    LOG.info(format.toString(), fields.toArray());
  }
}

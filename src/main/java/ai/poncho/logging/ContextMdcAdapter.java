package ai.poncho.logging;

import ch.qos.logback.classic.LoggerContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.MDCAdapter;

/**
 * The MDC logback copies into each event when the event is created, on the logging thread (so before an
 * asynchronous appender hands it to its worker): the thread's own MDC plus the current request's
 * {@link RequestLog} fields and the current OpenTelemetry span ({@code trace_id}, {@code span_id}; only
 * a valid span, i.e. when tracing is on). Everything else goes to logback's own adapter.
 */
public final class ContextMdcAdapter implements MDCAdapter {

  public static final String REQUEST_ID = "request_id";
  public static final String KEY_ID = "key_id";
  public static final String MODEL = "model";
  public static final String TRACE_ID = "trace_id";
  public static final String SPAN_ID = "span_id";

  private final MDCAdapter thread;

  private ContextMdcAdapter(MDCAdapter thread) {
    this.thread = thread;
  }

  /** Puts this adapter in front of the logback context's own one, once (each Vert.x start asks). */
  public static synchronized void install() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context
        && !(context.getMDCAdapter() instanceof ContextMdcAdapter)) {
      context.setMDCAdapter(new ContextMdcAdapter(context.getMDCAdapter()));
    }
  }

  @Override
  public Map<String, String> getCopyOfContextMap() {
    Map<String, String> own = thread.getCopyOfContextMap();
    Map<String, String> fields = own == null ? new HashMap<>() : new HashMap<>(own);
    RequestLog request = RequestLog.current();
    if (request != null) {
      putIfSet(fields, REQUEST_ID, request.requestId());
      putIfSet(fields, KEY_ID, request.keyId());
      putIfSet(fields, MODEL, request.model());
    }
    SpanContext span = Span.current().getSpanContext();
    if (span.isValid()) {
      fields.put(TRACE_ID, span.getTraceId());
      fields.put(SPAN_ID, span.getSpanId());
    }
    return fields;
  }

  private static void putIfSet(Map<String, String> fields, String key, String value) {
    if (value != null) {
      fields.put(key, value);
    }
  }

  @Override
  public void put(String key, String val) {
    thread.put(key, val);
  }

  @Override
  public String get(String key) {
    return thread.get(key);
  }

  @Override
  public void remove(String key) {
    thread.remove(key);
  }

  @Override
  public void clear() {
    thread.clear();
  }

  @Override
  public void setContextMap(Map<String, String> contextMap) {
    thread.setContextMap(contextMap);
  }

  @Override
  public void pushByKey(String key, String value) {
    thread.pushByKey(key, value);
  }

  @Override
  public String popByKey(String key) {
    return thread.popByKey(key);
  }

  @Override
  public Deque<String> getCopyOfDequeByKey(String key) {
    return thread.getCopyOfDequeByKey(key);
  }

  @Override
  public void clearDequeByKey(String key) {
    thread.clearDequeByKey(key);
  }
}

package ai.poncho.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import net.logstash.logback.composite.AbstractFieldJsonProvider;
import net.logstash.logback.composite.loggingevent.ArgumentsJsonProvider;
import net.logstash.logback.composite.loggingevent.KeyValuePairsJsonProvider;
import net.logstash.logback.composite.loggingevent.LogLevelJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggerNameJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggingEventFormattedTimestampJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggingEventJsonProviders;
import net.logstash.logback.composite.loggingevent.LoggingEventThreadNameJsonProvider;
import net.logstash.logback.composite.loggingevent.MdcJsonProvider;
import net.logstash.logback.composite.loggingevent.MessageJsonProvider;
import net.logstash.logback.composite.loggingevent.StackTraceJsonProvider;
import net.logstash.logback.encoder.LoggingEventCompositeJsonEncoder;

/**
 * One JSON object per line: {@code ts} (ISO-8601, UTC), {@code level}, {@code logger}, {@code thread},
 * {@code message}, the MDC ({@code request_id}, {@code key_id}, {@code model}, {@code trace_id},
 * {@code span_id}, see {@link ContextMdcAdapter}), structured arguments and key-value pairs as fields
 * of their own (the access log's), and {@code exception}: the stack trace as one string.
 */
public final class JsonLogEncoder extends LoggingEventCompositeJsonEncoder {

  public JsonLogEncoder() {
    LoggingEventJsonProviders providers = new LoggingEventJsonProviders();
    LoggingEventFormattedTimestampJsonProvider ts = named(new LoggingEventFormattedTimestampJsonProvider(), "ts");
    ts.setTimeZone("UTC");
    providers.addTimestamp(ts);
    providers.addLogLevel(named(new LogLevelJsonProvider(), "level"));
    providers.addLoggerName(named(new LoggerNameJsonProvider(), "logger"));
    providers.addThreadName(named(new LoggingEventThreadNameJsonProvider(), "thread"));
    providers.addMessage(named(new MessageJsonProvider(), "message"));
    providers.addMdc(new MdcJsonProvider());
    providers.addKeyValuePairs(new KeyValuePairsJsonProvider());
    providers.addArguments(new ArgumentsJsonProvider());
    providers.addStackTrace(named(new StackTraceJsonProvider(), "exception"));
    setProviders(providers);
  }

  private static <P extends AbstractFieldJsonProvider<ILoggingEvent>> P named(P provider, String field) {
    provider.setFieldName(field);
    return provider;
  }
}

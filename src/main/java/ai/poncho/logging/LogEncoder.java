package ai.poncho.logging;

import ai.poncho.config.LogConfig;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.util.Locale;

/**
 * The console encoder of logback.xml: JSON lines ({@link JsonLogEncoder}) or readable text, chosen by
 * {@code <format>} there (from {@code PONCHO_LOG__FORMAT}, for the lines before the configuration is
 * read) and then by {@code log.format} ({@link LogSetup}). Switching is safe while the asynchronous
 * appender's worker encodes.
 */
public final class LogEncoder extends EncoderBase<ILoggingEvent> {

  /** The text layout; the request id in brackets after the logger, inside a request. */
  static final String TEXT_PATTERN =
      "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24}%replace( [%X{request_id}]){' \\[\\]', ''} - %msg%n";

  private volatile Encoder<ILoggingEvent> delegate;
  private String format = LogConfig.TEXT;

  public void setFormat(String format) {
    this.format = format == null ? LogConfig.TEXT : format.trim().toLowerCase(Locale.ROOT);
    if (isStarted()) {
      use(this.format);
    }
  }

  public String format() {
    return format;
  }

  @Override
  public void start() {
    use(format);
    super.start();
  }

  private void use(String name) {
    Encoder<ILoggingEvent> next;
    if (LogConfig.JSON.equals(name)) {
      next = new JsonLogEncoder();
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setPattern(TEXT_PATTERN);
      next = text;
    }
    next.setContext(getContext());
    next.start();
    Encoder<ILoggingEvent> previous = delegate;
    delegate = next;
    if (previous != null) {
      previous.stop();
    }
  }

  @Override
  public void stop() {
    if (delegate != null) {
      delegate.stop();
    }
    super.stop();
  }

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    return delegate.encode(event);
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }
}

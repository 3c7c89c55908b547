package ai.poncho.logging;

import ai.poncho.config.LogConfig;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.spi.AppenderAttachable;
import java.util.Iterator;
import org.slf4j.LoggerFactory;

/** Applies {@code log.*} to the running logback: the console encoders' format and the root level. */
public final class LogSetup {

  private LogSetup() {
  }

  public static void apply(LogConfig config) {
    ContextMdcAdapter.install();
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    if (config.level() != null) {
      root.setLevel(Level.toLevel(config.level()));
    }
    setFormat(root, config.format());
  }

  /** Sets the format of every {@link LogEncoder} below {@code appenders}, also behind asynchronous appenders. */
  @SuppressWarnings("unchecked")
  private static void setFormat(AppenderAttachable<ILoggingEvent> appenders, String format) {
    for (Iterator<Appender<ILoggingEvent>> it = appenders.iteratorForAppenders(); it.hasNext(); ) {
      Appender<ILoggingEvent> appender = it.next();
      if (appender instanceof OutputStreamAppender<ILoggingEvent> output
          && output.getEncoder() instanceof LogEncoder encoder) {
        encoder.setFormat(format);
      } else if (appender instanceof AppenderAttachable<?> attachable) {
        setFormat((AppenderAttachable<ILoggingEvent>) attachable, format);
      }
    }
  }
}

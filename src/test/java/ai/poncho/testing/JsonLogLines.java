package ai.poncho.testing;

import ai.poncho.config.LogConfig;
import ai.poncho.logging.ContextMdcAdapter;
import ai.poncho.logging.LogEncoder;
import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Everything logged while it is open, as the production console appender writes it: an asynchronous
 * appender in front of {@link LogEncoder} in JSON format. The given loggers are raised to DEBUG meanwhile.
 */
public final class JsonLogLines implements AutoCloseable {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final AsyncAppender async = new AsyncAppender();
  private final Map<Logger, Level> levels = new HashMap<>();
  private final Logger root;

  private JsonLogLines(String... debugLoggers) {
    ContextMdcAdapter.install();
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    LogEncoder encoder = new LogEncoder();
    encoder.setContext(context);
    encoder.setFormat(LogConfig.JSON);
    encoder.start();
    OutputStreamAppender<ILoggingEvent> output = new OutputStreamAppender<>();
    output.setContext(context);
    output.setEncoder(encoder);
    output.setImmediateFlush(true);
    output.setOutputStream(bytes);
    output.start();
    async.setContext(context);
    async.setQueueSize(65536);
    async.setDiscardingThreshold(0);
    async.addAppender(output);
    async.start();
    for (String name : debugLoggers) {
      Logger logger = context.getLogger(name);
      levels.put(logger, logger.getLevel());
      logger.setLevel(Level.DEBUG);
    }
    root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(async);
  }

  public static JsonLogLines capture(String... debugLoggers) {
    return new JsonLogLines(debugLoggers);
  }

  /** The raw output so far. */
  public String text() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** Each line of output as JSON (a line that is not one JSON object fails the parse). */
  public List<JsonObject> lines() {
    return Arrays.stream(text().split("\n")).filter(line -> !line.isEmpty()).map(JsonObject::new).toList();
  }

  @Override
  public void close() {
    root.detachAppender(async);
    async.stop();
    levels.forEach(Logger::setLevel);
  }
}

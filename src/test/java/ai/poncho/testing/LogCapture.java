package ai.poncho.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.regex.Pattern;

/**
 * Sees every log line of the test suite (logback-test.xml attaches it to the root logger at INFO) and
 * remembers any that contains a key string: a managed key ({@code sk-poncho-...}) or a secret a test
 * registered with {@link #secret}. {@link NoKeysInLogs} fails the test class during which one was logged.
 * The most recent lines are kept for tests that assert on log content (e.g. the audit log).
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> {

  private static final Pattern MANAGED_KEY = Pattern.compile("sk-poncho-[0-9A-Za-z]{16,}");
  private static final int RECENT = 5000;
  private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();
  private static final ConcurrentLinkedDeque<String> LEAKS = new ConcurrentLinkedDeque<>();
  private static final ConcurrentLinkedDeque<String> RECENT_LINES = new ConcurrentLinkedDeque<>();

  /** Registers a secret that must never be logged (master keys of tests). */
  public static String secret(String secret) {
    SECRETS.add(secret);
    return secret;
  }

  /** Lines that contained a key, since the last call (and forgets them). */
  public static List<String> drainLeaks() {
    List<String> leaks = new ArrayList<>();
    for (String line; (line = LEAKS.poll()) != null; ) {
      leaks.add(line);
    }
    return leaks;
  }

  public static List<String> recentLines() {
    return List.copyOf(RECENT_LINES);
  }

  @Override
  protected void append(ILoggingEvent event) {
    StringBuilder line = new StringBuilder(event.getLoggerName()).append(' ').append(event.getFormattedMessage());
    for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
      line.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
    }
    String text = line.toString();
    RECENT_LINES.add(text);
    while (RECENT_LINES.size() > RECENT) {
      RECENT_LINES.poll();
    }
    if (MANAGED_KEY.matcher(text).find() || SECRETS.stream().anyMatch(text::contains)) {
      LEAKS.add(text);
    }
  }
}

package ai.poncho.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Applied to every test class of the suite (JUnit extension auto-detection): fails the class during
 * which any log line contained a key string, as {@link LogCapture} saw it.
 */
public final class NoKeysInLogs implements AfterAllCallback {

  @Override
  public void afterAll(ExtensionContext context) {
    assertThat(LogCapture.drainLeaks()).as("log lines containing a key string").isEmpty();
  }
}

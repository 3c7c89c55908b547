package ai.poncho.prompt;

import java.io.Writer;

/** Collects rendered text and stops the render once it is too long or has run past its deadline. */
final class LimitedWriter extends Writer {

  private final StringBuilder text = new StringBuilder();
  private final int maxChars;
  private final long deadlineNanos;

  LimitedWriter(int maxChars, long deadlineNanos) {
    this.maxChars = maxChars;
    this.deadlineNanos = deadlineNanos;
  }

  @Override
  public void write(char[] chars, int offset, int length) {
    if (text.length() + length > maxChars) {
      throw new TemplateFailure("the rendered prompt exceeds the limit of " + maxChars + " characters", true);
    }
    if (System.nanoTime() - deadlineNanos > 0) {
      throw new TemplateFailure("rendering the prompt took longer than the limit", true);
    }
    text.append(chars, offset, length);
  }

  @Override
  public void flush() {
    // Nothing is buffered beyond the text itself.
  }

  @Override
  public void close() {
    // Nothing to release.
  }

  @Override
  public String toString() {
    return text.toString();
  }
}

package ai.poncho.chat;

/**
 * A failed tool result (Anthropic's {@code tool_result} with {@code is_error}) in the canonical form,
 * which has no such flag: its text starts with {@value #MARK}. Models of every provider read that as
 * it is meant; the Anthropic format turns it back into {@code is_error: true}, so nothing is lost.
 */
public final class ToolErrors {

  public static final String MARK = "[tool error] ";

  private ToolErrors() {
  }

  public static String mark(String text) {
    return MARK + text;
  }

  public static boolean isMarked(String text) {
    return text != null && text.startsWith(MARK);
  }

  public static String unmark(String text) {
    return isMarked(text) ? text.substring(MARK.length()) : text;
  }
}

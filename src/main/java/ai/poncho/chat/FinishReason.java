package ai.poncho.chat;

/** The OpenAI finish reasons, plus the gateway's own for a generation the client cancelled. */
public final class FinishReason {
  public static final String STOP = "stop";
  public static final String LENGTH = "length";
  public static final String TOOL_CALLS = "tool_calls";
  public static final String CONTENT_FILTER = "content_filter";
  public static final String CANCELLED = "cancelled";

  private FinishReason() {
  }
}

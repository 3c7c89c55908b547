package ai.poncho.chat;

/**
 * Writes JSON text straight into a {@link StringBuilder}, byte for byte as Vert.x's Jackson encoder
 * writes the same values (compact, {@code "}, {@code \} and control characters escaped, the rest as
 * is), for the per-chunk hot path where building a {@code JsonObject} tree to encode it costs more than
 * the chunk's content.
 */
public final class JsonOut {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private JsonOut() {
  }

  /** {@code value} as a JSON string, or {@code null}. */
  public static StringBuilder string(StringBuilder out, String value) {
    if (value == null) {
      return out.append("null");
    }
    out.append('"');
    int start = 0;
    int length = value.length();
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      out.append(value, start, i);
      start = i + 1;
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    // appending the whole string copies its bytes at once; a range is appended character by character
    return (start == 0 ? out.append(value) : out.append(value, start, length)).append('"');
  }

  /** {@code ,"name":} (the comma unless {@code first}). */
  public static StringBuilder name(StringBuilder out, String name, boolean first) {
    if (!first) {
      out.append(',');
    }
    return out.append('"').append(name).append("\":");
  }
}

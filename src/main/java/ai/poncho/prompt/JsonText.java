package ai.poncho.prompt;

import io.vertx.core.json.Json;
import java.util.List;
import java.util.Map;

/** JSON text of plain values exactly as JavaScript's {@code JSON.stringify(value, null, indent)} writes it. */
final class JsonText {

  private JsonText() {
  }

  static String write(Object value, int indent) {
    StringBuilder out = new StringBuilder();
    write(out, value, indent, 0);
    return out.toString();
  }

  private static void write(StringBuilder out, Object value, int indent, int depth) {
    if (value instanceof Map<?, ?> map) {
      if (map.isEmpty()) {
        out.append("{}");
        return;
      }
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        out.append(first ? "" : ",");
        first = false;
        newline(out, indent, depth + 1);
        out.append(Json.encode(String.valueOf(entry.getKey()))).append(indent > 0 ? ": " : ":");
        write(out, entry.getValue(), indent, depth + 1);
      }
      newline(out, indent, depth);
      out.append('}');
    } else if (value instanceof List<?> list) {
      if (list.isEmpty()) {
        out.append("[]");
        return;
      }
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        out.append(i == 0 ? "" : ",");
        newline(out, indent, depth + 1);
        write(out, list.get(i), indent, depth + 1);
      }
      newline(out, indent, depth);
      out.append(']');
    } else if (value instanceof String s) {
      out.append(Json.encode(s));
    } else {
      out.append(value == null ? "null" : value.toString());
    }
  }

  private static void newline(StringBuilder out, int indent, int depth) {
    if (indent > 0) {
      out.append('\n').append(" ".repeat(indent * depth));
    }
  }
}

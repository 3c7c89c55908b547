package ai.poncho.prompt;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Request values as templates see them: maps, lists, strings, numbers, booleans and null only, so a
 * template can never reach a Java object. Whole numbers become longs so they print as JavaScript would
 * ({@code 5}, not {@code 5.0}). Nesting deeper than the limit is refused.
 */
final class PlainValues {

  private PlainValues() {
  }

  static Object of(Object value, int maxDepth, String path) {
    return convert(value, maxDepth, 0, path);
  }

  private static Object convert(Object value, int maxDepth, int depth, String path) {
    if (depth > maxDepth) {
      throw PromptException.invalid("input_too_deep", path,
          "The value at '" + path + "' is nested deeper than the limit of " + maxDepth + " levels.");
    }
    if (value instanceof JsonObject object) {
      value = object.getMap();
    } else if (value instanceof JsonArray array) {
      value = array.getList();
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> result = new LinkedHashMap<>();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        String key = String.valueOf(entry.getKey());
        result.put(key, convert(entry.getValue(), maxDepth, depth + 1, path + "." + key));
      }
      return result;
    }
    if (value instanceof List<?> list) {
      List<Object> result = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        result.add(convert(list.get(i), maxDepth, depth + 1, path + "[" + i + "]"));
      }
      return result;
    }
    if (value == null || value instanceof String || value instanceof Boolean) {
      return value;
    }
    if (value instanceof Number number) {
      return number(number);
    }
    return value.toString();
  }

  private static Object number(Number number) {
    if (number instanceof Integer || number instanceof Long || number instanceof Short || number instanceof Byte) {
      return number.longValue();
    }
    if (number instanceof BigInteger big) {
      return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }
    double d = number.doubleValue();
    if (!Double.isInfinite(d) && d == Math.rint(d) && Math.abs(d) < 9.007199254740992E15) {
      return (long) d;
    }
    return number instanceof BigDecimal ? d : number;
  }

  /** JavaScript's {@code ===} on plain values: numbers by value, everything else by equality. */
  static boolean strictEquals(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return new BigDecimal(x.toString()).compareTo(new BigDecimal(y.toString())) == 0;
    }
    return a == null ? b == null : a.equals(b);
  }
}

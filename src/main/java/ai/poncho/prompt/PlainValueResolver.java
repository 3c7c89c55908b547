package ai.poncho.prompt;

import com.github.jknack.handlebars.ValueResolver;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The only way a template reads values: map keys (and a list's {@code length}, as in JavaScript). No
 * JavaBean, field or method resolution, so nothing but the plain request data is reachable.
 */
enum PlainValueResolver implements ValueResolver {
  INSTANCE;

  @Override
  public Object resolve(Object context, String name) {
    if (context instanceof Map<?, ?> map) {
      return map.containsKey(name) ? map.get(name) : UNRESOLVED;
    }
    if (context instanceof List<?> list && name.equals("length")) {
      return (long) list.size();
    }
    return UNRESOLVED;
  }

  @Override
  public Object resolve(Object context) {
    return context instanceof Map<?, ?> || context instanceof List<?> || context instanceof String
        || context instanceof Number || context instanceof Boolean ? context : UNRESOLVED;
  }

  @Override
  @SuppressWarnings("unchecked")
  public Set<Map.Entry<String, Object>> propertySet(Object context) {
    return context instanceof Map<?, ?> map ? ((Map<String, Object>) map).entrySet() : Set.of();
  }
}

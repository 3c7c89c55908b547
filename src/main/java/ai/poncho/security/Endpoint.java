package ai.poncho.security;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The API surfaces a key may be limited to ({@code endpoints} on a key). Key management and other
 * admin routes are not among them: they are governed by the role alone.
 */
public enum Endpoint {
  CHAT, PROMPTS, WS, MODELS;

  public static final Set<Endpoint> ALL = Set.copyOf(EnumSet.allOf(Endpoint.class));

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Endpoint parse(Object name) {
    if (name instanceof String s) {
      for (Endpoint endpoint : values()) {
        if (endpoint.wireName().equals(s)) {
          return endpoint;
        }
      }
    }
    return null;
  }
}

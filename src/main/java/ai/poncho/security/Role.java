package ai.poncho.security;

import java.util.Locale;

/**
 * What a key may do. {@code admin}: everything, key management and every key's usage included;
 * {@code user}: the model API with its allowed models; {@code viewer}: read-only (models, prompts, its own
 * usage).
 */
public enum Role {
  ADMIN, USER, VIEWER;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role named in a key's JSON, or null when it names none. */
  public static Role parse(Object name) {
    if (name instanceof String s) {
      for (Role role : values()) {
        if (role.wireName().equals(s)) {
          return role;
        }
      }
    }
    return null;
  }
}

package ai.poncho.security;

import java.util.Set;

/**
 * What an authenticated request may do: the key's role, endpoints and the {@link Caller} it runs as.
 * The auth step stores it in the routing context under {@link #CONTEXT_KEY}.
 */
public record Grant(Role role, Set<Endpoint> endpoints, Caller caller) {

  public static final String CONTEXT_KEY = "poncho.grant";
  /** Everything, as nobody: the grant of every request while auth is off. */
  public static final Grant OPEN = new Grant(Role.ADMIN, Endpoint.ALL, Caller.ANONYMOUS);
  public static final String MASTER_KEY_ID = "master";
  static final Grant MASTER = new Grant(Role.ADMIN, Endpoint.ALL, new Caller(MASTER_KEY_ID, null, KeyLimits.NONE));

  public static Grant of(ApiKey key) {
    return new Grant(key.role(), key.endpoints(), key.caller());
  }

  public String keyId() {
    return caller.keyId();
  }
}

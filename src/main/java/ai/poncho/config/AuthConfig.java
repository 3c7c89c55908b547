package ai.poncho.config;

import java.time.Duration;

/**
 * Access control: {@code auth.*}. Auth is on as soon as {@code auth.master_key} is set or
 * {@code auth.enabled: true}; without either the gateway stays open (the embedded default) and says so
 * once at start-up.
 *
 * @param enabled                  whether every API route wants a key
 * @param masterKey                the operator's key (role admin), or null
 * @param cacheTtl                 how long a validated key is trusted without asking the key store again
 *                                 (bounds how long a revocation takes to reach every replica)
 * @param staleTtl                 how long a validated key keeps working from the local cache while the
 *                                 key store (Redis) does not answer
 * @param keysFile                 where the in-memory key store persists its keys (hashes only), or null
 * @param rotationGrace            how long a rotated key's old secret stays valid, unless the call says
 * @param failedAttemptsPerMinute  failed authentications allowed per client address and minute before 429
 *                                 (0 = unbounded)
 * @param maxKeyBodyBytes          largest key-management request body (413 beyond)
 */
public record AuthConfig(boolean enabled, String masterKey, Duration cacheTtl, Duration staleTtl, String keysFile,
                         Duration rotationGrace, int failedAttemptsPerMinute, long maxKeyBodyBytes) {

  public static final int MIN_MASTER_KEY_LENGTH = 16;

  static AuthConfig from(ConfigReader reader) {
    String masterKey = reader.string("master_key", null);
    if (masterKey != null && masterKey.strip().length() < MIN_MASTER_KEY_LENGTH) {
      reader.problem("master_key", "must be at least " + MIN_MASTER_KEY_LENGTH + " characters");
    }
    boolean enabled = reader.bool("enabled", masterKey != null);
    if (reader.has("enabled") && !enabled && masterKey != null) {
      reader.problem("enabled", "is false while auth.master_key is set; remove one of them");
    }
    Duration cacheTtl = reader.duration("cache_ttl", Duration.ofMillis(500));
    if (cacheTtl.compareTo(Duration.ofMinutes(5)) > 0) {
      reader.problem("cache_ttl", "must be at most 5m (it bounds how long a revoked key keeps working)");
    }
    Duration staleTtl = reader.duration("stale_ttl", Duration.ofMinutes(5));
    if (staleTtl.compareTo(cacheTtl) < 0) {
      reader.problem("stale_ttl", "must not be shorter than auth.cache_ttl");
    }
    return new AuthConfig(enabled, masterKey == null ? null : masterKey.strip(), cacheTtl, staleTtl,
        reader.string("keys_file", null), reader.duration("rotation_grace", Duration.ofHours(24)),
        reader.integer("failed_attempts_per_minute", 60, 0, 1_000_000), reader.bytes("max_key_body_size", 64 * 1024));
  }
}

package ai.poncho.security;

import ai.poncho.config.AuthConfig;
import ai.poncho.state.StateUnavailableException;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a presented secret into a {@link Grant}: the master key (compared in constant time), or a managed
 * key looked up by its SHA-256. A shared store's answers are trusted for {@code auth.cache_ttl}; while the
 * store is unreachable a key validated within {@code auth.stale_ttl} keeps working, any other key gets 503.
 * Failed attempts count per client address ({@link FailedAuthLimiter}). Logs name key ids, never secrets.
 */
public final class Authenticator {

  private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
  private static final int CACHE_SIZE = 100_000;

  private final KeyStore store;
  private final String masterHash;
  private final FailedAuthLimiter failures;
  private final Clock clock;
  private final long freshMs;
  /** Validated keys by hash; null for a store that answers locally (nothing to cache). */
  private final Cache<String, Validated> cache;

  private record Validated(ApiKey key, long atMs) {
  }

  public Authenticator(AuthConfig config, KeyStore store, boolean cacheLookups, FailedAuthLimiter failures,
                       Clock clock) {
    this.store = store;
    this.masterHash = config.masterKey() == null ? null : KeySecrets.hash(config.masterKey());
    this.failures = failures;
    this.clock = clock;
    this.freshMs = config.cacheTtl().toMillis();
    this.cache = cacheLookups ? Caffeine.newBuilder().maximumSize(CACHE_SIZE).expireAfterWrite(config.staleTtl())
        .build() : null;
  }

  /**
   * The grant for {@code secret} presented from {@code address}; fails with a
   * {@link ai.poncho.error.GatewayException} (401, 429 or 503).
   */
  public Future<Grant> authenticate(String secret, String address) {
    long now = clock.millis();
    long blocked = failures.blockedFor(address, now);
    if (blocked > 0) {
      return Future.failedFuture(AuthErrors.tooManyFailures(blocked));
    }
    if (secret == null || secret.isEmpty()) {
      return fail(AuthErrors.missingKey(), address, now);
    }
    String hash = KeySecrets.hash(secret);
    if (masterHash != null && KeySecrets.sameHash(masterHash, hash)) {
      return Future.succeededFuture(Grant.MASTER);
    }
    if (!secret.startsWith(KeySecrets.PREFIX)) {
      return fail(AuthErrors.unknownKey(), address, now);
    }
    Validated cached = cache == null ? null : cache.getIfPresent(hash);
    if (cached != null && now - cached.atMs < freshMs) {
      return check(cached.key, hash, address, now);
    }
    return store.byHash(hash).transform(lookup -> {
      if (lookup.succeeded()) {
        ApiKey key = lookup.result();
        if (cache != null) {
          if (key == null) {
            cache.invalidate(hash);
          } else {
            cache.put(hash, new Validated(key, now));
          }
        }
        return key == null ? fail(AuthErrors.unknownKey(), address, now) : check(key, hash, address, now);
      }
      if (lookup.cause() instanceof StateUnavailableException) {
        if (cached != null) {
          return check(cached.key, hash, address, now);
        }
        LOG.warn("API key lookup failed, answering 503: {}", lookup.cause().getMessage());
        return Future.failedFuture(AuthErrors.unavailable());
      }
      return Future.failedFuture(lookup.cause());
    });
  }

  /** Forgets what this node cached of a key (after this node changed or revoked it). */
  public void forget(ApiKey key) {
    if (cache != null && key != null) {
      cache.invalidate(key.hash());
      if (key.previousHash() != null) {
        cache.invalidate(key.previousHash());
      }
    }
  }

  private Future<Grant> check(ApiKey key, String hash, String address, long now) {
    Instant instant = Instant.ofEpochMilli(now);
    if (!key.matches(hash, instant)) {
      return fail(KeySecrets.sameHash(key.previousHash(), hash) ? AuthErrors.rotatedAway() : AuthErrors.unknownKey(),
          address, now);
    }
    if (!key.enabled()) {
      return fail(AuthErrors.disabled(), address, now);
    }
    if (key.expired(instant)) {
      return fail(AuthErrors.expired(), address, now);
    }
    return Future.succeededFuture(Grant.of(key));
  }

  private Future<Grant> fail(RuntimeException error, String address, long now) {
    failures.failed(address, now);
    return Future.failedFuture(error);
  }
}

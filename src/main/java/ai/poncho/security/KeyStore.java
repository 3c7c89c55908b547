package ai.poncho.security;

import io.vertx.core.Future;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Where managed keys live: {@link MemoryKeyStore} on one node, {@link RedisKeyStore} shared by replicas.
 * Lookups go by the SHA-256 of the presented secret; the secret itself is never stored. A store that
 * cannot answer fails with {@link ai.poncho.state.StateUnavailableException}.
 */
public interface KeyStore {

  /** The key whose current or previous (rotated) secret has this hash; null when none. */
  Future<ApiKey> byHash(String hash);

  /** The key, or null. */
  Future<ApiKey> byId(String id);

  /** Keys in creation order, starting after the key {@code after} (null: from the first). */
  Future<Page> list(String after, int limit);

  Future<Void> create(ApiKey key);

  /** Applies {@code change} to the stored key (atomically per key); null when there is no such key. */
  Future<ApiKey> update(String id, UnaryOperator<ApiKey> change);

  /**
   * Replaces the key's secret; the old hash keeps resolving to the key until {@code key.previousExpiresAt()}.
   * {@code change} gets the stored key and returns it with the new hashes.
   */
  Future<ApiKey> rotate(String id, UnaryOperator<ApiKey> change);

  /** Revokes the key at once; false when there was none. */
  Future<Boolean> delete(String id);

  /** Whether the store answers (readiness). */
  Future<Void> ping();

  Future<Void> close();

  record Page(List<ApiKey> keys, boolean hasMore) {
  }
}

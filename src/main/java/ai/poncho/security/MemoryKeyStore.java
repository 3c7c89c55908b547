package ai.poncho.security;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded key store: one per node, shared by the HTTP verticle instances. With {@code auth.keys_file}
 * every change is written to that file (hashes only, written to a temporary file and moved into place) and
 * the keys are read back at start-up.
 */
public final class MemoryKeyStore implements KeyStore, Shareable {

  private static final Logger LOG = LoggerFactory.getLogger(MemoryKeyStore.class);
  private static final String SHARED_KEY = "auth.memory-key-store";

  private final Vertx vertx;
  private final String file;
  private final Map<String, ApiKey> byId = new HashMap<>();
  private final Map<String, String> idByHash = new HashMap<>();
  private final Future<Void> loaded;
  private Future<Void> writes = Future.succeededFuture();

  private MemoryKeyStore(Vertx vertx, String file) {
    this.vertx = vertx;
    this.file = file;
    this.loaded = file == null ? Future.succeededFuture() : load();
  }

  /** The node's store, created (and loaded from {@code file}) by the first verticle that asks. */
  public static Future<MemoryKeyStore> shared(Vertx vertx, String file) {
    LocalMap<String, MemoryKeyStore> map = vertx.sharedData().getLocalMap("poncho");
    MemoryKeyStore store;
    synchronized (MemoryKeyStore.class) {
      store = map.get(SHARED_KEY);
      if (store == null) {
        store = new MemoryKeyStore(vertx, file);
        map.put(SHARED_KEY, store);
      }
    }
    MemoryKeyStore result = store;
    return store.loaded.map(v -> result);
  }

  @Override
  public synchronized Future<ApiKey> byHash(String hash) {
    String id = idByHash.get(hash);
    ApiKey key = id == null ? null : byId.get(id);
    return Future.succeededFuture(key);
  }

  @Override
  public synchronized Future<ApiKey> byId(String id) {
    return Future.succeededFuture(byId.get(id));
  }

  @Override
  public synchronized Future<Page> list(String after, int limit) {
    List<ApiKey> ordered = new ArrayList<>(byId.values());
    ordered.sort(Comparator.comparing(ApiKey::createdAt).thenComparing(ApiKey::id));
    int start = 0;
    if (after != null) {
      for (int i = 0; i < ordered.size(); i++) {
        if (ordered.get(i).id().equals(after)) {
          start = i + 1;
          break;
        }
      }
    }
    int end = Math.min(ordered.size(), start + limit);
    return Future.succeededFuture(new Page(List.copyOf(ordered.subList(start, end)), end < ordered.size()));
  }

  @Override
  public Future<Void> create(ApiKey key) {
    synchronized (this) {
      byId.put(key.id(), key);
      idByHash.put(key.hash(), key.id());
    }
    return persist();
  }

  @Override
  public Future<ApiKey> update(String id, UnaryOperator<ApiKey> change) {
    ApiKey updated;
    synchronized (this) {
      ApiKey current = byId.get(id);
      if (current == null) {
        return Future.succeededFuture(null);
      }
      updated = change.apply(current);
      byId.put(id, updated);
    }
    return persist().map(updated);
  }

  @Override
  public Future<ApiKey> rotate(String id, UnaryOperator<ApiKey> change) {
    ApiKey rotated;
    synchronized (this) {
      ApiKey current = byId.get(id);
      if (current == null) {
        return Future.succeededFuture(null);
      }
      rotated = change.apply(current);
      if (current.previousHash() != null) {
        idByHash.remove(current.previousHash());
      }
      if (rotated.previousHash() == null) {
        idByHash.remove(current.hash());
      }
      idByHash.put(rotated.hash(), id);
      byId.put(id, rotated);
    }
    return persist().map(rotated);
  }

  @Override
  public Future<Boolean> delete(String id) {
    synchronized (this) {
      ApiKey removed = byId.remove(id);
      if (removed == null) {
        return Future.succeededFuture(false);
      }
      idByHash.remove(removed.hash());
      if (removed.previousHash() != null) {
        idByHash.remove(removed.previousHash());
      }
    }
    return persist().map(true);
  }

  @Override
  public Future<Void> ping() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    return writes;
  }

  private Future<Void> load() {
    return vertx.fileSystem().exists(file).compose(exists -> !exists ? Future.<Void>succeededFuture()
        : vertx.fileSystem().readFile(file).map(buffer -> {
          JsonArray keys = buffer.length() == 0 ? new JsonArray() : new JsonArray(buffer);
          synchronized (this) {
            Instant now = Instant.now();
            for (Object item : keys) {
              ApiKey key = ApiKey.fromStorageJson((JsonObject) item);
              byId.put(key.id(), key);
              idByHash.put(key.hash(), key.id());
              if (key.previousHash() != null && key.previousExpiresAt() != null && now.isBefore(key.previousExpiresAt())) {
                idByHash.put(key.previousHash(), key.id());
              }
            }
          }
          LOG.info("Loaded {} API keys from {}", keys.size(), file);
          return null;
        }));
  }

  /** Writes are chained so the file always ends with the latest state. */
  private Future<Void> persist() {
    if (file == null) {
      return Future.succeededFuture();
    }
    String temporary = file + ".tmp";
    Future<Void> write;
    synchronized (this) {
      JsonArray keys = new JsonArray();
      byId.values().stream().sorted(Comparator.comparing(ApiKey::createdAt))
          .forEach(key -> keys.add(key.toStorageJson()));
      Buffer snapshot = keys.toBuffer();
      write = writes.transform(ignored -> vertx.fileSystem().writeFile(temporary, snapshot)
          .compose(v -> vertx.fileSystem().move(temporary, file,
              new CopyOptions().setReplaceExisting(true).setAtomicMove(true))));
      writes = write.recover(failure -> Future.succeededFuture());
    }
    return write.onFailure(failure -> LOG.error("Could not write the API keys to {}: {}", file, failure.getMessage()));
  }
}

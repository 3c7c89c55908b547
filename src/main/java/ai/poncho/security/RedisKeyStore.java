package ai.poncho.security;

import ai.poncho.state.LuaScript;
import ai.poncho.state.RedisState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Keys on Redis, shared by every replica: {@code <prefix>key:<id>} holds the key's JSON (hashes only),
 * {@code <prefix>keyhash:<sha256>} names the key id of a secret (the previous secret of a rotated key with
 * the grace period and a day as its TTL), and the sorted set {@code <prefix>keys} orders ids by creation for paging.
 * Each operation is one round trip (a Lua script); changes of one key are compare-and-set, retried.
 */
public final class RedisKeyStore implements KeyStore {

  private static final int CAS_ATTEMPTS = 5;
  private static final long ROTATED_NOTICE_MS = 24L * 3600 * 1000;

  private static final LuaScript LOOKUP = LuaScript.of("key-lookup", """
      local id = redis.call('GET', KEYS[1])
      if not id then return false end
      return redis.call('GET', ARGV[1] .. 'key:' .. id)
      """);
  private static final LuaScript CREATE = LuaScript.of("key-create", """
      redis.call('SET', KEYS[1], ARGV[1])
      redis.call('SET', KEYS[2], ARGV[2])
      redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
      return 1
      """);
  /** KEYS: key, new hash, old hash, dropped hash; ARGV: expected JSON, new JSON, id, old hash TTL ms (0 = drop). */
  private static final LuaScript CHANGE = LuaScript.of("key-change", """
      if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
      redis.call('SET', KEYS[1], ARGV[2])
      if KEYS[2] ~= KEYS[3] then
        redis.call('SET', KEYS[2], ARGV[3])
        if tonumber(ARGV[4]) > 0 then
          redis.call('SET', KEYS[3], ARGV[3], 'PX', ARGV[4])
        else
          redis.call('DEL', KEYS[3])
        end
      end
      if KEYS[4] ~= KEYS[2] and KEYS[4] ~= KEYS[3] then redis.call('DEL', KEYS[4]) end
      return 1
      """);
  private static final LuaScript DELETE = LuaScript.of("key-delete", """
      local json = redis.call('GET', KEYS[1])
      if not json then return 0 end
      local key = cjson.decode(json)
      redis.call('DEL', KEYS[1])
      redis.call('ZREM', KEYS[2], ARGV[2])
      redis.call('DEL', ARGV[1] .. 'keyhash:' .. key['hash'])
      if type(key['previous_hash']) == 'string' then
        redis.call('DEL', ARGV[1] .. 'keyhash:' .. key['previous_hash'])
      end
      return 1
      """);
  /** KEYS: the id set; ARGV: prefix, after id ('' = first), count. Returns up to count key JSONs. */
  private static final LuaScript LIST = LuaScript.of("key-list", """
      local start = 0
      if ARGV[2] ~= '' then
        local rank = redis.call('ZRANK', KEYS[1], ARGV[2])
        if rank then start = rank + 1 end
      end
      local ids = redis.call('ZRANGE', KEYS[1], start, start + tonumber(ARGV[3]) - 1)
      local out = {}
      for i, id in ipairs(ids) do
        local json = redis.call('GET', ARGV[1] .. 'key:' .. id)
        if json then out[#out + 1] = json end
      end
      return out
      """);

  private final RedisState redis;
  private final String prefix;

  public RedisKeyStore(RedisState redis, String prefix) {
    this.redis = redis;
    this.prefix = prefix;
  }

  @Override
  public Future<ApiKey> byHash(String hash) {
    return redis.eval(LOOKUP, List.of(hashKey(hash)), List.of(prefix)).map(RedisKeyStore::key);
  }

  @Override
  public Future<ApiKey> byId(String id) {
    return redis.send(Request.cmd(Command.GET).arg(idKey(id))).map(RedisKeyStore::key);
  }

  @Override
  public Future<Page> list(String after, int limit) {
    return redis.eval(LIST, List.of(prefix + "keys"), List.of(prefix, after == null ? "" : after,
        Integer.toString(limit + 1))).map(response -> {
          List<ApiKey> keys = new ArrayList<>();
          if (response != null) {
            for (Response item : response) {
              keys.add(ApiKey.fromStorageJson(new JsonObject(item.toString())));
            }
          }
          boolean more = keys.size() > limit;
          return new Page(more ? keys.subList(0, limit) : keys, more);
        });
  }

  @Override
  public Future<Void> create(ApiKey key) {
    return redis.eval(CREATE, List.of(idKey(key.id()), hashKey(key.hash()), prefix + "keys"),
        List.of(key.toStorageJson().encode(), key.id(), Long.toString(key.createdAt().toEpochMilli()))).mapEmpty();
  }

  @Override
  public Future<ApiKey> update(String id, UnaryOperator<ApiKey> change) {
    return change(id, change, CAS_ATTEMPTS);
  }

  @Override
  public Future<ApiKey> rotate(String id, UnaryOperator<ApiKey> change) {
    return change(id, change, CAS_ATTEMPTS);
  }

  private Future<ApiKey> change(String id, UnaryOperator<ApiKey> change, int attempts) {
    return redis.send(Request.cmd(Command.GET).arg(idKey(id))).compose(response -> {
      if (response == null) {
        return Future.succeededFuture(null);
      }
      String expected = response.toString();
      ApiKey current = ApiKey.fromStorageJson(new JsonObject(expected));
      ApiKey changed = change.apply(current);
      long graceMs = changed.previousHash() == null || changed.previousExpiresAt() == null ? 0
          : Math.max(0, changed.previousExpiresAt().toEpochMilli() - Instant.now().toEpochMilli());
      // The old secret stays findable a day past its grace (ApiKey.matches refuses it then), so that it is
      // told "rotated" rather than "incorrect".
      long keptMs = graceMs > 0 ? graceMs + ROTATED_NOTICE_MS : 0;
      String oldHash = changed.hash().equals(current.hash()) ? changed.hash() : current.hash();
      String dropped = current.previousHash() != null && !current.previousHash().equals(changed.previousHash())
          ? current.previousHash() : changed.hash();
      return redis.eval(CHANGE, List.of(idKey(id), hashKey(changed.hash()), hashKey(oldHash), hashKey(dropped)),
          List.of(expected, changed.toStorageJson().encode(), id, Long.toString(keptMs))).compose(done -> {
            if (done.toInteger() == 1) {
              return Future.succeededFuture(changed);
            }
            return attempts > 1 ? change(id, change, attempts - 1) : Future.failedFuture(
                new IllegalStateException("key " + id + " kept changing concurrently"));
          });
    });
  }

  @Override
  public Future<Boolean> delete(String id) {
    return redis.eval(DELETE, List.of(idKey(id), prefix + "keys"), List.of(prefix, id))
        .map(response -> response.toInteger() == 1);
  }

  @Override
  public Future<Void> ping() {
    return redis.ping();
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }

  private String idKey(String id) {
    return prefix + "key:" + id;
  }

  private String hashKey(String hash) {
    return prefix + "keyhash:" + hash;
  }

  private static ApiKey key(Response response) {
    return response == null ? null : ApiKey.fromStorageJson(new JsonObject(response.toString()));
  }
}

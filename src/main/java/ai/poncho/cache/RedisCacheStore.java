package ai.poncho.cache;

import ai.poncho.state.RedisState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The shared backend: one Redis string per answer at {@code <state.redis.prefix>cache:<model>:<hash>}, set
 * with its TTL ({@code SET … PX}), the answer's JSON deflate-compressed. Every replica reads what any
 * replica stored. Large values are (de)compressed on a worker, small ones inline. Failures reach the
 * caller as failed futures; {@link ResponseCache} turns them into misses.
 */
final class RedisCacheStore implements CacheStore {

  /** Values larger than this are compressed off the event loop. */
  private static final int INLINE_BYTES = 64 * 1024;
  private static final byte FORMAT_DEFLATE = 1;

  private final Vertx vertx;
  private final RedisState redis;
  private final String prefix;
  private final CacheClock clock;

  RedisCacheStore(Vertx vertx, RedisState redis, String statePrefix, CacheClock clock) {
    this.vertx = vertx;
    this.redis = redis;
    this.prefix = statePrefix + "cache:";
    this.clock = clock;
  }

  String redisKey(CacheKey key) {
    return prefix + keyPart(key.model()) + ":" + key.hash();
  }

  /** A model name as a key segment: its colons escaped, so one model's pattern never matches another's keys. */
  private static String keyPart(String model) {
    return model.replace("%", "%25").replace(":", "%3A");
  }

  @Override
  public Future<CachedAnswer> get(CacheKey key) {
    return redis.send(Request.cmd(Command.GET).arg(redisKey(key))).compose(response -> {
      if (response == null) {
        return Future.succeededFuture(null);
      }
      byte[] stored = response.toBytes();
      return stored.length > INLINE_BYTES ? vertx.executeBlocking(() -> decode(stored), false)
          : Future.succeededFuture(decode(stored));
    }).map(answer -> answer == null || answer.expired(clock.millis()) ? null : answer);
  }

  @Override
  public Future<Void> put(CacheKey key, CachedAnswer answer, long ttlMillis) {
    byte[] json = answer.encode();
    Future<byte[]> value = json.length > INLINE_BYTES ? vertx.executeBlocking(() -> compress(json), false)
        : Future.succeededFuture(compress(json));
    return value.compose(bytes -> redis.send(Request.cmd(Command.SET).arg(redisKey(key)).arg(Buffer.buffer(bytes))
        .arg("PX").arg(Math.max(1, ttlMillis)))).mapEmpty();
  }

  /** SCAN for the keys of all models or one, UNLINK them page by page. */
  @Override
  public Future<Long> purge(String model) {
    String pattern = prefix + (model == null ? "" : glob(keyPart(model)) + ":") + "*";
    return scan("0", pattern, 0);
  }

  private Future<Long> scan(String cursor, String pattern, long deleted) {
    return redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(pattern).arg("COUNT").arg(1000))
        .compose(page -> {
          String next = page.get(0).toString();
          Response keys = page.get(1);
          List<String> found = new ArrayList<>(keys.size());
          keys.forEach(k -> found.add(k.toString()));
          Future<Long> unlinked = found.isEmpty() ? Future.succeededFuture(0L)
              : redis.send(unlink(found)).map(Response::toLong);
          return unlinked.compose(n -> "0".equals(next) ? Future.succeededFuture(deleted + n)
              : scan(next, pattern, deleted + n));
        });
  }

  private static Request unlink(List<String> keys) {
    Request request = Request.cmd(Command.UNLINK);
    keys.forEach(request::arg);
    return request;
  }

  /** Model names may hold glob characters; they match only themselves. */
  static String glob(String text) {
    StringBuilder sb = new StringBuilder(text.length() + 4);
    for (char c : text.toCharArray()) {
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.toString();
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }

  static byte[] compress(byte[] json) {
    Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    try {
      deflater.setInput(json);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(json.length / 3 + 16);
      out.write(FORMAT_DEFLATE);
      byte[] buffer = new byte[Math.min(64 * 1024, json.length + 64)];
      while (!deflater.finished()) {
        out.write(buffer, 0, deflater.deflate(buffer));
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  static CachedAnswer decode(byte[] stored) {
    if (stored.length == 0 || stored[0] != FORMAT_DEFLATE) {
      return null;
    }
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(stored, 1, stored.length - 1);
      ByteArrayOutputStream out = new ByteArrayOutputStream(stored.length * 4);
      byte[] buffer = new byte[16 * 1024];
      while (!inflater.finished()) {
        int n = inflater.inflate(buffer);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          return null;
        }
        out.write(buffer, 0, n);
      }
      return CachedAnswer.decode(out.toByteArray());
    } catch (DataFormatException | RuntimeException unreadable) {
      return null;
    } finally {
      inflater.end();
    }
  }
}

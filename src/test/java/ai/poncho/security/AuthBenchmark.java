package ai.poncho.security;

import ai.poncho.config.PonchoConfig;
import ai.poncho.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * What auth adds per request, measured in-process (not a test: run it with loadtest/auth-bench.sh).
 * Each case calls {@link Authenticator#authenticate} in a loop after a warm-up and prints ns per call:
 * the master key, a managed key in the in-memory store, and a managed key answered from the local cache
 * (the Redis backend's steady state, where the store is asked once per auth.cache_ttl only).
 */
public final class AuthBenchmark {

  private static final int WARMUP = 2_000_000;
  private static final int ROUNDS = 5;
  private static final int CALLS = 2_000_000;

  private AuthBenchmark() {
  }

  public static void main(String[] args) {
    String master = "sk-master-" + "b".repeat(40);
    JsonObject json = TestServer.config().put("auth", new JsonObject().put("master_key", master)
        .put("cache_ttl", "5m").put("stale_ttl", "5m"));
    PonchoConfig config = PonchoConfig.from(json);
    Vertx vertx = Vertx.vertx();
    try {
      MemoryKeyStore store = TestServer.await(MemoryKeyStore.shared(vertx, null));
      String secret = KeySecrets.newSecret();
      Instant now = Instant.now();
      TestServer.await(store.create(new ApiKey(KeySecrets.newId(), KeySecrets.hash(secret), KeySecrets.hint(secret),
          "bench", Role.USER, List.of("deepseek-*"), Endpoint.ALL, "bench", null, null, true, KeyLimits.NONE, now,
          now, null, null)));
      FailedAuthLimiter failures = FailedAuthLimiter.shared(vertx, 60);
      Authenticator memory = new Authenticator(config.auth(), store, false, failures, Clock.systemUTC());
      Authenticator cached = new Authenticator(config.auth(), store, true, failures, Clock.systemUTC());
      System.out.printf("%-40s %10s%n", "case", "ns/call");
      run("master key", memory, master);
      run("managed key, in-memory store", memory, secret);
      run("managed key, cached (Redis steady state)", cached, secret);
      run("baseline: SHA-256 of the key only", null, secret);
    } finally {
      TestServer.await(vertx.close());
    }
  }

  private static void run(String name, Authenticator authenticator, String secret) {
    long sink = 0;
    for (int i = 0; i < WARMUP; i++) {
      sink += call(authenticator, secret);
    }
    long best = Long.MAX_VALUE;
    for (int round = 0; round < ROUNDS; round++) {
      long start = System.nanoTime();
      for (int i = 0; i < CALLS; i++) {
        sink += call(authenticator, secret);
      }
      best = Math.min(best, (System.nanoTime() - start) / CALLS);
    }
    System.out.printf("%-40s %10d%s%n", name, best, sink == 42 ? " " : "");
  }

  private static int call(Authenticator authenticator, String secret) {
    if (authenticator == null) {
      return KeySecrets.sha256(secret)[0];
    }
    Future<Grant> grant = authenticator.authenticate(secret, "127.0.0.1");
    if (!grant.succeeded()) {
      throw new IllegalStateException("authentication failed in the benchmark: " + grant.cause());
    }
    return grant.result().role().ordinal();
  }
}

package ai.poncho.state;

import static ai.poncho.testing.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.poncho.chat.Ids;
import ai.poncho.config.ConfigException;
import ai.poncho.config.PonchoConfig;
import ai.poncho.config.StateConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The shared-state connection against the machine's Redis (127.0.0.1:6379) and against none. */
@ExtendWith(VertxExtension.class)
class RedisStateTest {

  private static final LuaScript INCR_BY = LuaScript.of("incr_by",
      "return redis.call('INCRBY', KEYS[1], ARGV[1])");

  private static StateConfig state(String url, String timeout) {
    JsonObject json = new JsonObject().put("models", new JsonObject().put("mock", new JsonObject()
            .put("provider", "mock")))
        .put("state", new JsonObject().put("backend", "redis")
            .put("redis", new JsonObject().put("url", url).put("timeout", timeout)));
    return PonchoConfig.from(json).state();
  }

  @Test
  void scriptsRunAtomicallyAndAreLoadedWhenRedisLacksThem(Vertx vertx) {
    RedisState redis = RedisState.create(vertx, state("redis://127.0.0.1:6379", "2s"));
    String key = Ids.random("poncho-test:state:");
    try {
      await(redis.send(Request.cmd(Command.SCRIPT).arg("FLUSH")));
      assertThat(await(redis.eval(INCR_BY, List.of(key), List.of("5"))).toLong()).isEqualTo(5);
      assertThat(await(redis.eval(INCR_BY, List.of(key), List.of("2"))).toLong()).isEqualTo(7);
      await(redis.ping());
    } finally {
      await(redis.send(Request.cmd(Command.DEL).arg(key)));
      await(redis.close());
    }
  }

  @Test
  void aRedisThatIsNotThereFailsWithinTheTimeout(Vertx vertx) throws IOException {
    int freePort;
    try (ServerSocket socket = new ServerSocket(0)) {
      freePort = socket.getLocalPort();
    }
    RedisState redis = RedisState.create(vertx, state("redis://127.0.0.1:" + freePort, "300ms"));
    assertThatThrownBy(() -> await(redis.ping())).hasCauseInstanceOf(StateUnavailableException.class);
    await(redis.close());
  }

  @Test
  void aRedisThatDoesNotAnswerFailsWithinTheTimeout(Vertx vertx) throws IOException {
    try (ServerSocket silent = new ServerSocket(0)) {
      RedisState redis = RedisState.create(vertx, state("redis://127.0.0.1:" + silent.getLocalPort(), "300ms"));
      assertThatThrownBy(() -> await(redis.ping())).hasCauseInstanceOf(StateUnavailableException.class)
          .hasMessageContaining("Redis PING failed");
      await(redis.close());
    }
  }

  @Test
  void defaultsToMemoryAndReportsBadSettings() {
    JsonObject models = new JsonObject().put("mock", new JsonObject().put("provider", "mock"));
    StateConfig defaults = PonchoConfig.from(new JsonObject().put("models", models)).state();
    assertThat(defaults.redis()).isFalse();
    assertThat(defaults.redisTimeout()).isEqualTo(Duration.ofMillis(500));
    JsonObject bad = new JsonObject().put("models", models).put("state", new JsonObject().put("backend", "etcd")
        .put("redis", new JsonObject().put("url", "http://x").put("timeout", "0s")));
    assertThatThrownBy(() -> PonchoConfig.from(bad)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("state.backend").hasMessageContaining("state.redis.url")
        .hasMessageContaining("state.redis.timeout");
  }
}

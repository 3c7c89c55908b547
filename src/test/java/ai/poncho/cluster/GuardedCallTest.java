package ai.poncho.cluster;

import static ai.poncho.testing.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.PonchoServer;
import ai.poncho.bus.Accepted;
import ai.poncho.bus.Addresses;
import ai.poncho.bus.BusCodecs;
import ai.poncho.bus.DispatchRequest;
import ai.poncho.bus.GuardedCall;
import ai.poncho.bus.RemoteChatStream;
import ai.poncho.bus.StreamOpen;
import ai.poncho.bus.StreamStarted;
import ai.poncho.chat.ChatJson;
import ai.poncho.chat.ChatRequest;
import ai.poncho.chat.Ids;
import ai.poncho.config.PonchoConfig;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.Errors;
import ai.poncho.error.GatewayError;
import ai.poncho.security.Caller;
import ai.poncho.testing.NodeProcess;
import ai.poncho.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guard of every cross-node wait, on a real two-node Hazelcast cluster (in one JVM): a request no
 * node accepts is handed on, a draining node's refusal is handed on, and a call or stream whose node
 * leaves fails at once with {@code node_lost} instead of waiting for a reply that will never come.
 */
class GuardedCallTest {

  private static final String ADDRESS = "test.guarded";
  private static final DeliveryOptions LONG = new DeliveryOptions().setSendTimeout(60_000);

  private Vertx caller;
  private Vertx taker;

  private static PonchoConfig config(String name, int port) {
    JsonArray members = new JsonArray();
    for (int i = 0; i < 4; i++) {
      members.add("127.0.0.1:" + (port + i));
    }
    return PonchoConfig.from(TestServer.config().put("metrics", new JsonObject().put("enabled", false))
        .put("cluster", new JsonObject().put("enabled", true).put("name", name).put("host", "127.0.0.1")
            .put("port", port).put("members", members).put("accept_timeout", "2s")));
  }

  @BeforeEach
  void startCluster() {
    String name = Ids.random("poncho-test-");
    int port = NodeProcess.freePortRange(4);
    caller = await(PonchoServer.createVertx(config(name, port)));
    taker = await(PonchoServer.createVertx(config(name, port)));
    BusCodecs.register(caller);
    BusCodecs.register(taker);
  }

  @AfterEach
  void stopCluster() {
    for (Vertx vertx : List.of(caller, taker)) {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // already closed by the test
      }
    }
  }

  private static ChatRequest chat() {
    return ChatJson.request(new JsonObject().put("model", "mock")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "x"))));
  }

  private <T> Future<T> onCaller(java.util.function.Supplier<Future<T>> action) {
    Promise<T> result = Promise.promise();
    caller.runOnContext(v -> action.get().onComplete(result));
    return result.future();
  }

  @Test
  void aRequestNobodyAcceptsOrThatIsHandedBackGoesOutAgainUnderANewId() {
    List<String> seen = new CopyOnWriteArrayList<>();
    List<String> cancels = new CopyOnWriteArrayList<>();
    String node = NodeWatch.of(taker).localNode();
    await(taker.eventBus().<DispatchRequest>consumer(ADDRESS, message -> {
      DispatchRequest request = message.body();
      seen.add(request.callId());
      switch (seen.size()) {
        case 1 -> { } // lost: never accepted, never answered
        case 2 -> message.fail(503, GatewayError.of(ErrorKind.SERVICE_UNAVAILABLE, GuardedCall.HANDED_BACK, null,
            "draining").toJson().encode());
        default -> {
          Accepted.send(taker.eventBus(), request.watchAddress(), request.callId(), node);
          message.reply("served " + request.callId());
        }
      }
    }).completion());
    await(taker.eventBus().<String>consumer(Addresses.DISPATCH_CANCEL, message -> cancels.add(message.body()))
        .completion());
    DispatchRequest call = new DispatchRequest("req", "call_a", Caller.ANONYMOUS, chat());

    Message<String> reply = await(onCaller(() -> GuardedCall.<String>request(caller, ADDRESS, call.callId(),
        call::forAttempt, LONG, true).reply()));

    assertThat(reply.body()).isEqualTo("served call_a~3");
    assertThat(seen).containsExactly("call_a", "call_a~2", "call_a~3");
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> cancels.contains("call_a"));
  }

  @Test
  void noNodeTakingTheRequestEndsIn503AfterEveryAttempt() {
    await(taker.eventBus().<DispatchRequest>consumer(ADDRESS, message -> { }).completion());
    DispatchRequest call = new DispatchRequest("req", "call_b", Caller.ANONYMOUS, chat());
    long start = System.nanoTime();

    Throwable failure = awaitFailure(onCaller(() -> GuardedCall.<String>request(caller, ADDRESS, call.callId(),
        call::forAttempt, LONG, true).reply()));

    GatewayError error = Errors.toGatewayError(failure);
    assertThat(error.status()).isEqualTo(503);
    assertThat(error.code()).isEqualTo("no_node_available");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void aCallWhoseNodeLeavesFailsAtOnceWithNodeLost() {
    String node = NodeWatch.of(taker).localNode();
    Promise<Void> taken = Promise.promise();
    await(taker.eventBus().<DispatchRequest>consumer(ADDRESS, message -> taker.eventBus()
        .sender(message.body().watchAddress()).write(new Accepted(message.body().callId(), node))
        .onComplete(taken)).completion());
    DispatchRequest call = new DispatchRequest("req", "call_c", Caller.ANONYMOUS, chat());
    Future<Message<String>> reply = onCaller(() -> GuardedCall.<String>request(caller, ADDRESS, call.callId(),
        call::forAttempt, LONG, true).reply());
    await(taken.future());
    die(taker);

    GatewayError error = Errors.toGatewayError(awaitFailure(reply));
    assertThat(error.status()).as(error.toString()).isEqualTo(502);
    assertThat(error.type()).isEqualTo("server_error");
    assertThat(error.code()).isEqualTo("node_lost");
  }

  @Test
  void aStreamWhoseProducerNodeLeavesEndsWithANodeLostError() {
    String node = NodeWatch.of(taker).localNode();
    await(taker.eventBus().<StreamOpen>consumer(ADDRESS, message -> {
      Accepted.send(taker.eventBus(), message.body().watchAddress(), message.body().streamId(), node);
      message.reply(new StreamStarted("test.control.nowhere", "mock").withNode(node));
    }).completion());
    Promise<GatewayError> failed = Promise.promise();
    await(onCaller(() -> RemoteChatStream.open(caller, ADDRESS, "req", Caller.ANONYMOUS, chat(), 16, 60_000, 60_000,
            Promise.<Void>promise().future())
        .map(stream -> stream.handler(chunk -> { }).endHandler(end -> failed.tryFail("ended"))
            .failureHandler(failed::tryComplete))));

    die(taker);

    GatewayError error = await(failed.future());
    assertThat(error.code()).isEqualTo("node_lost");
    assertThat(error.status()).isEqualTo(502);
  }

  /** The node drops out of the cluster without a word, as a killed process does (its sockets close). */
  private static void die(Vertx vertx) {
    ((io.vertx.spi.cluster.hazelcast.HazelcastClusterManager) ((io.vertx.core.internal.VertxInternal) vertx)
        .clusterManager()).getHazelcastInstance().getLifecycleService().terminate();
  }

  private static Throwable awaitFailure(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("did not fail in time", e);
    }
    throw new AssertionError("expected a failure");
  }
}

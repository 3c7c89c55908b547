package ai.poncho.cache;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.bus.CompletionEvent;
import ai.poncho.bus.DispatchRequest;
import ai.poncho.bus.StreamOpen;
import ai.poncho.bus.StreamStarted;
import ai.poncho.chat.ChatJson;
import ai.poncho.security.Caller;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What the cache adds to the bus messages survives the trip to another cluster node (their JSON form). */
class CacheBusRecordsTest {

  private final CacheControl control = new CacheControl(true, false, Duration.ofSeconds(600), "greet");

  @Test
  void cacheInstructionsTravelWithCallsAndStreams() {
    var request = ChatJson.request(new JsonObject().put("model", "mock")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "x"))));
    DispatchRequest call = new DispatchRequest("req", "call", new Caller("k", "t", null), request).withCache(control);
    assertThat(DispatchRequest.fromJson(call.toJson()).cache()).isEqualTo(control);
    assertThat(new DispatchRequest("req", "call", Caller.ANONYMOUS, request).cache()).isEqualTo(CacheControl.DEFAULT);
    StreamOpen open = new StreamOpen("req", Caller.ANONYMOUS, request, "sink", "s1", 16).withCache(control);
    assertThat(StreamOpen.fromJson(open.toJson()).cache()).isEqualTo(control);
    assertThat(open.withRequest(request).cache()).isEqualTo(control);
  }

  @Test
  void cacheStatusTravelsWithStreamStartsAndCompletionEvents() {
    StreamStarted started = new StreamStarted("control", "mock").withCache(CompletionEvent.CACHE_HIT);
    assertThat(StreamStarted.fromJson(started.toJson())).isEqualTo(started);
    CompletionEvent event = new CompletionEvent("mock", "mock", 200, true, 1, 1, 3, 4, "stop", "req", "k", "t")
        .withCache(CompletionEvent.CACHE_HIT);
    assertThat(CompletionEvent.fromJson(event.toJson())).isEqualTo(event);
    assertThat(event.toJson().getString("cache")).isEqualTo("hit");
    assertThat(event.cacheHit()).isTrue();
    assertThat(new CompletionEvent("mock", "mock", 200, false, 1, 0, 3, 4, "stop", "req", null, null).cache())
        .isNull();
  }
}

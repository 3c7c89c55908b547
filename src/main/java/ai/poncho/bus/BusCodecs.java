package ai.poncho.bus;

import ai.poncho.chat.ChatResponse;
import ai.poncho.embedding.EmbeddingResponse;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Function;

/** Registers the codecs of all message records, once per Vert.x instance, whichever verticle starts first. */
public final class BusCodecs {

  private static final Set<Vertx> REGISTERED = Collections.newSetFromMap(new WeakHashMap<>());

  private BusCodecs() {
  }

  public static void register(Vertx vertx) {
    synchronized (REGISTERED) {
      if (!REGISTERED.add(vertx)) {
        return;
      }
    }
    EventBus bus = vertx.eventBus();
    add(bus, DispatchRequest.class, DispatchRequest::toJson, DispatchRequest::fromJson);
    add(bus, StreamOpen.class, StreamOpen::toJson, StreamOpen::fromJson);
    add(bus, StreamStarted.class, StreamStarted::toJson, StreamStarted::fromJson);
    add(bus, StreamControl.class, StreamControl::toJson, StreamControl::fromJson);
    add(bus, StreamEnd.class, StreamEnd::toJson, StreamEnd::fromJson);
    add(bus, StreamFailure.class, StreamFailure::toJson, StreamFailure::fromJson);
    add(bus, CompletionEvent.class, CompletionEvent::toJson, CompletionEvent::fromJson);
    add(bus, ChatResponse.class, ChatResponse::toJson, ChatResponse::fromJson);
    add(bus, StreamChunk.class, StreamChunk::toJson, StreamChunk::fromJson);
    add(bus, Accepted.class, Accepted::toJson, Accepted::fromJson);
    add(bus, EmbeddingDispatch.class, EmbeddingDispatch::toJson, EmbeddingDispatch::fromJson);
    add(bus, EmbeddingResponse.class, EmbeddingResponse::toJson, EmbeddingResponse::fromJson);
  }

  private static <T> void add(EventBus bus, Class<T> type, Function<T, io.vertx.core.json.JsonObject> toJson,
                              Function<io.vertx.core.json.JsonObject, T> fromJson) {
    bus.registerDefaultCodec(type, new LocalFirstCodec<>(type, toJson, fromJson));
  }
}

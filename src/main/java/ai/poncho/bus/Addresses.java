package ai.poncho.bus;

/**
 * Every event-bus address of PonchoAI. Message bodies are the records of this package (plus
 * {@link ai.poncho.chat.ChatResponse} and {@link ai.poncho.chat.ChatChunk}); each address documents its
 * contract.
 */
public final class Addresses {

  /** {@link DispatchRequest} → reply {@link ai.poncho.chat.ChatResponse}; failures carry a GatewayError. */
  public static final String DISPATCH_COMPLETE = "poncho.dispatch.complete";
  /** {@link StreamOpen} → reply {@link StreamStarted}; then chunks flow to the sink address. */
  public static final String DISPATCH_STREAM = "poncho.dispatch.stream";
  /** Empty body → reply JsonArray of OpenAI model objects. */
  public static final String DISPATCH_MODELS = "poncho.dispatch.models";
  /** Empty body → reply JsonObject: circuit-breaker state (CLOSED, HALF_OPEN, OPEN) by deployment. */
  public static final String DISPATCH_BREAKERS = "poncho.dispatch.breakers";

  /** As {@link #DISPATCH_COMPLETE}, for {@code prompt:<name>} models: rendered, then dispatched. */
  public static final String PROMPT_COMPLETE = "poncho.prompt.complete";
  /** As {@link #DISPATCH_STREAM}, for {@code prompt:<name>} models. */
  public static final String PROMPT_STREAM = "poncho.prompt.stream";

  /** Published {@link CompletionEvent}s, one per finished model call. */
  public static final String METRICS_COMPLETION = "poncho.metrics.completion";

  /** Per-stream sink (chunks, {@link StreamEnd}, {@link StreamFailure}) and control ({@link StreamControl}). */
  public static final String STREAM_SINK_PREFIX = "poncho.stream.sink.";
  public static final String STREAM_CONTROL_PREFIX = "poncho.stream.control.";

  private static final String PING_PREFIX = "poncho.ping.";

  private Addresses() {
  }

  /** Replies "ok" while the named verticle is deployed somewhere in the cluster; used by readiness. */
  public static String ping(String verticle) {
    return PING_PREFIX + verticle;
  }
}

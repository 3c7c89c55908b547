package ai.poncho.bus;

/**
 * Every event-bus address of PonchoAI. Message bodies are the records of this package (plus
 * {@link ai.poncho.chat.ChatResponse}); each address documents its
 * contract.
 */
public final class Addresses {

  /** {@link DispatchRequest} → reply {@link ai.poncho.chat.ChatResponse}; failures carry a GatewayError. */
  public static final String DISPATCH_COMPLETE = "poncho.dispatch.complete";
  /**
   * {@link StreamOpen} → reply {@link StreamStarted}; then {@link StreamEvent}s flow to the opener's sink
   * address and {@link StreamControl} credit back to the producer's control address (one of each per
   * event-loop context, streams told apart by id).
   */
  public static final String DISPATCH_STREAM = "poncho.dispatch.stream";
  /**
   * Published call id (String) of a {@link DispatchRequest}, or stream id of a {@link StreamOpen} not
   * yet answered, whose client went away: the dispatch instance running it stops the upstream call.
   */
  public static final String DISPATCH_CANCEL = "poncho.dispatch.cancel";
  /**
   * {@link EmbeddingDispatch} → reply {@link ai.poncho.embedding.EmbeddingResponse} (vectors in input
   * order, the serving model, prompt tokens); failures carry a GatewayError. Retries, fallbacks and
   * cancellation ({@link #DISPATCH_CANCEL} with the call id) work as for {@link #DISPATCH_COMPLETE}.
   */
  public static final String DISPATCH_EMBED = "poncho.dispatch.embed";
  /** Empty body → reply JsonArray of OpenAI model objects. */
  public static final String DISPATCH_MODELS = "poncho.dispatch.models";
  /**
   * Empty body → reply JsonObject, for readiness: by model, by deployment id, whether it can take calls:
   * its circuit-breaker state ({@code CLOSED}, {@code HALF_OPEN}, {@code OPEN}; {@code CLOSED} before the
   * first call or with breaking off) or {@code NO_API_KEY}.
   */
  public static final String DISPATCH_BREAKERS = "poncho.dispatch.breakers";

  /** Reply header of {@link #DISPATCH_COMPLETE} (and prompt completions): the call's cost in USD, exact. */
  public static final String COST_HEADER = "poncho-cost-usd";

  /**
   * Reply header of {@link #DISPATCH_COMPLETE}, {@link #DISPATCH_EMBED} (and prompt completions): the
   * nanoseconds the call waited on upstreams (0 for a cache hit), which the HTTP edge subtracts from its own
   * time to get the gateway's overhead. Streams say it in {@link StreamStarted#upstreamNanos()}.
   */
  public static final String UPSTREAM_HEADER = "poncho-upstream-ns";

  /** As {@link #DISPATCH_COMPLETE}, for {@code prompt:<name>} models: rendered, then dispatched. */
  public static final String PROMPT_COMPLETE = "poncho.prompt.complete";
  /** As {@link #DISPATCH_STREAM}, for {@code prompt:<name>} models. */
  public static final String PROMPT_STREAM = "poncho.prompt.stream";
  /**
   * Reply header of {@link #PROMPT_COMPLETE} for prompts with {@code output.format: json}: JSON
   * {@code {"status": "valid"|"invalid_json"|"schema_mismatch", "output"?, "error"?, "violations"?}}.
   */
  public static final String PROMPT_OUTPUT_HEADER = "poncho-prompt-output";
  /** JSON of a {@link PromptExecution} request → reply JSON of the dry run (messages, model, config). */
  public static final String PROMPT_RENDER = "poncho.prompt.render";
  /** Empty body → reply JSON {@code {"object":"list","data":[prompt summaries]}}. */
  public static final String PROMPT_LIST = "poncho.prompt.list";
  /** JSON {@code {"name"}} → reply JSON of the prompt (summary, schemas as JSON Schema, files' load status). */
  public static final String PROMPT_GET = "poncho.prompt.get";
  /**
   * Empty body → reply JsonObject, for readiness: {@code prompts} (served), {@code files},
   * {@code files_failing} and {@code failing} (each failing file's status and error).
   */
  public static final String PROMPT_HEALTH = "poncho.prompt.health";

  /**
   * Reply header of {@link #DISPATCH_COMPLETE} (and {@link #PROMPT_COMPLETE}): what the response cache did,
   * {@code hit}, {@code miss} or {@code bypass}. Streams say it in {@link StreamStarted#cache()}.
   */
  public static final String CACHE_HEADER = "poncho-cache";
  /**
   * JSON {@code {"model"?}} → reply JSON {@code {"deleted": n}}: removes the cached answers of every model
   * or of one (the shared Redis entries, or this node's memory); other nodes' memory is purged through
   * {@link #CACHE_PURGE_LOCAL}.
   */
  public static final String CACHE_PURGE = "poncho.cache.purge";
  /** Published JSON {@code {"model"?}}: every node drops those answers from its in-memory cache. */
  public static final String CACHE_PURGE_LOCAL = "poncho.cache.purge.local";

  /** Published {@link CompletionEvent}s, one per finished model call. */
  public static final String METRICS_COMPLETION = "poncho.metrics.completion";

  /** Local, published on SIGHUP: every HTTP verticle reloads its TLS certificate files. */
  public static final String TLS_RELOAD = "poncho.http.tls-reload";

  private static final String PING_PREFIX = "poncho.ping.";

  private Addresses() {
  }

  /** Replies "ok" while the named verticle is deployed somewhere in the cluster; used by readiness. */
  public static String ping(String verticle) {
    return PING_PREFIX + verticle;
  }
}

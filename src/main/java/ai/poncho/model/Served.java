package ai.poncho.model;

import ai.poncho.config.ModelConfig;
import io.opentelemetry.api.trace.Span;

/**
 * A call's result and who produced it: the public model that served it (the requested one or a
 * fallback) and its deployment. {@link #release()} ends the request's count as outstanding on the
 * deployment (streams call it when they end). {@code upstreamNanos} is the time the call waited on
 * upstreams: every attempt from its hand-over to the provider client until its answer (a streamed one:
 * its first chunk), plus the backoff before each retry. {@code span} is the serving attempt's span, still
 * open: the caller ends it with what the answer or stream reported.
 */
record Served<T>(T result, String model, ModelConfig.Deployment deployment, Runnable release, long upstreamNanos,
                 Span span) {

  void done() {
    release.run();
  }
}

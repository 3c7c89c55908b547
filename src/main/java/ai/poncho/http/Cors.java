package ai.poncho.http;

import ai.poncho.security.AuthHandler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.List;
import java.util.Set;

/** CORS for the origins in {@code http.cors.allowed_origins} only; without any, no CORS headers at all. */
final class Cors {

  private Cors() {
  }

  static CorsHandler handler(List<String> origins) {
    CorsHandler cors = CorsHandler.create();
    if (!origins.contains("*")) {
      cors.addOrigins(origins);
    }
    return cors.allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PATCH, HttpMethod.DELETE,
            HttpMethod.OPTIONS))
        .allowedHeaders(Set.of("Authorization", AuthHandler.API_KEY_HEADER, "Content-Type", RequestContext.HEADER,
            "OpenAI-Organization", "OpenAI-Project", "x-stainless-os", "x-stainless-lang", "x-stainless-arch",
            "x-stainless-runtime", "x-stainless-runtime-version", "x-stainless-package-version",
            "x-stainless-retry-count", "x-stainless-timeout", "anthropic-version"))
        // What the SDKs and dashboards read from answers: the served model, cache verdict and cost, and the
        // limit headers the SDKs' own retry waits by (a browser hides every header not listed here).
        .exposedHeaders(Set.of(RequestContext.HEADER, ChatCompletionsHandler.MODEL_HEADER,
            ChatCompletionsHandler.CACHE_HEADER, CostHeaders.COST_HEADER, "retry-after", "retry-after-ms",
            "x-should-retry", "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests",
            "x-ratelimit-reset-requests", "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens",
            "x-ratelimit-reset-tokens"))
        .maxAgeSeconds(600);
  }
}

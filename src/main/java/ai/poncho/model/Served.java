package ai.poncho.model;

import ai.poncho.config.ModelConfig;

/**
 * A call's result and who produced it: the public model that served it (the requested one or a
 * fallback) and its deployment. {@link #release()} ends the request's count as outstanding on the
 * deployment (streams call it when they end).
 */
record Served<T>(T result, String model, ModelConfig.Deployment deployment, Runnable release) {

  void done() {
    release.run();
  }
}

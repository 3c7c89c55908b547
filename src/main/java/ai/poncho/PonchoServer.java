package ai.poncho;

import ai.poncho.cluster.HazelcastSetup;
import ai.poncho.cluster.NodeWatch;
import ai.poncho.config.PonchoConfig;
import ai.poncho.http.HttpVerticle;
import ai.poncho.metrics.MetricsVerticle;
import ai.poncho.model.DispatchVerticle;
import ai.poncho.prompt.PromptVerticle;
import ai.poncho.tracing.Tracing;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/** Builds the Vert.x instance for a configuration and deploys this node's verticles. */
public final class PonchoServer {

  private static final String LOCAL_MAP = "poncho";
  /** Deployment ids per Vert.x instance, in deployment order. */
  private static final Map<Vertx, List<String>> DEPLOYMENTS = new ConcurrentHashMap<>();

  private PonchoServer() {
  }

  /**
   * A Vert.x instance with Prometheus metrics, traced when {@code otel.enabled}, clustered over Hazelcast
   * when {@code cluster.enabled}.
   */
  public static Future<Vertx> createVertx(PonchoConfig config) {
    // One event loop per core instead of Vert.x's two: the HTTP, dispatch and prompt verticles talk over
    // the bus for every request and streamed read, and on a core of its own each loop's hop to another
    // is a thread wake-up and a context switch (on one core everything then runs on one loop).
    VertxOptions options = new VertxOptions().setPreferNativeTransport(true)
        .setEventLoopPoolSize(Runtime.getRuntime().availableProcessors());
    VertxBuilder builder = Vertx.builder();
    if (config.metrics().enabled()) {
      MicrometerMetricsOptions metrics = new MicrometerMetricsOptions().setEnabled(true)
          .setJvmMetricsEnabled(true)
          .setRegistryName(config.metrics().registryName())
          // Bounded label sets only: routes (not paths) and pools, so gauges of different pools stay apart.
          .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE,
              Label.POOL_NAME))
          // Event-bus metrics cost a meter lookup per message, i.e. per streamed chunk and credit; the
          // gateway's own per-model and stream meters say what matters at a fraction of that. The same
          // for the upstream client's, unless metrics.vertx_http_client asks for them.
          .setDisabledMetricsCategories(config.metrics().vertxHttpClient()
              ? Set.of(MetricsDomain.EVENT_BUS.toCategory())
              : Set.of(MetricsDomain.EVENT_BUS.toCategory(), MetricsDomain.HTTP_CLIENT.toCategory()));
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      BackendRegistries.setupBackend(metrics, registry);
      options.setMetricsOptions(metrics);
      builder.withMetrics(new MicrometerMetricsFactory(registry));
    }
    OpenTelemetrySdk otel = config.otel().enabled() ? Tracing.sdk(config.otel()) : null;
    if (otel != null) {
      Tracing.install(options, builder, otel);
    }
    if (!config.cluster().enabled()) {
      Vertx vertx = builder.with(options).build();
      if (otel != null) {
        Tracing.register(vertx, otel, config.otel());
      }
      return Future.succeededFuture(vertx);
    }
    // The bus pings each peer it sends to; a peer that stops answering (a half-open connection, as when a
    // host vanishes without a reset) is cut off after member_timeout instead of Vert.x's 20 s.
    EventBusOptions bus = new EventBusOptions().setPort(config.cluster().busPort())
        .setClusterPingInterval(config.cluster().heartbeatInterval().toMillis())
        .setClusterPingReplyInterval(config.cluster().memberTimeout().toMillis());
    // With 0.0.0.0 the bus takes the address Hazelcast chose for this member (never 0.0.0.0 to its peers).
    if (!"0.0.0.0".equals(config.cluster().host())) {
      bus.setHost(config.cluster().host());
    }
    options.setEventBusOptions(bus);
    return builder.with(options).withClusterManager(HazelcastSetup.clusterManager(config.cluster())).buildClustered()
        .onSuccess(vertx -> {
          if (otel != null) {
            Tracing.register(vertx, otel, config.otel());
          }
          NodeWatch.install(vertx, config.cluster());
        })
        .onFailure(failure -> {
          if (otel != null) {
            otel.shutdown();
          }
        });
  }

  /**
   * Deploys the verticles this node runs (all, unless {@code cluster.verticles} names some). Completes
   * with the bound HTTP port, or -1 when this node serves no HTTP.
   */
  public static Future<Integer> deploy(Vertx vertx, PonchoConfig config) {
    DeploymentOptions single = new DeploymentOptions().setConfig(config.raw());
    Future<?> chain = Future.succeededFuture();
    chain = then(chain, vertx, config, "metrics", MetricsVerticle::new, single);
    // Dispatch gets its configuration directly: its upstream requests copy its deployment options.
    chain = then(chain, vertx, config, "dispatch", () -> DispatchVerticle.of(config.raw().copy()),
        new DeploymentOptions().setInstances(config.dispatch().effectiveInstances()));
    chain = then(chain, vertx, config, "prompt", PromptVerticle::new, single);
    chain = then(chain, vertx, config, "http", HttpVerticle::new,
        new DeploymentOptions(single).setInstances(config.http().effectiveInstances()));
    return chain.map(v -> {
      Object port = vertx.sharedData().getLocalMap(LOCAL_MAP).get(HttpVerticle.PORT_KEY);
      return port == null ? -1 : (Integer) port;
    });
  }

  /**
   * Stops the node in reverse deployment order, so the HTTP front end drains its in-flight requests
   * and streams while dispatch still serves them, then closes Vert.x.
   */
  public static Future<Void> shutdown(Vertx vertx) {
    List<String> deployments = new ArrayList<>(DEPLOYMENTS.getOrDefault(vertx, List.of()));
    Collections.reverse(deployments);
    Future<Void> chain = Future.succeededFuture();
    for (String id : deployments) {
      chain = chain.compose(v -> vertx.undeploy(id)).recover(failure -> Future.succeededFuture());
    }
    return chain.compose(v -> vertx.close()).onComplete(done -> DEPLOYMENTS.remove(vertx));
  }

  private static Future<?> then(Future<?> chain, Vertx vertx, PonchoConfig config, String name,
                                Supplier<? extends Deployable> verticle, DeploymentOptions options) {
    if (!config.cluster().deploys(name)) {
      return chain;
    }
    return chain.compose(v -> vertx.deployVerticle(verticle, options))
        .onSuccess(id -> DEPLOYMENTS.computeIfAbsent(vertx, k -> new CopyOnWriteArrayList<>()).add(id));
  }
}

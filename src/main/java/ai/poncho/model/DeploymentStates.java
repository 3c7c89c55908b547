package ai.poncho.model;

import ai.poncho.config.ModelConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Node-wide state of every deployment, shared by all dispatch verticle instances of one Vert.x: its
 * circuit breaker and its number of outstanding requests. Breaker states are exported as the gauge
 * {@code poncho_circuit_breaker_state{deployment}} (0 closed, 1 half-open, 2 open).
 */
final class DeploymentStates implements Shareable {

  private static final String LOCAL_MAP = "poncho";
  private static final String KEY = "dispatch.deployment-states";

  private final Vertx vertx;
  private final MeterRegistry registry;
  private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> outstanding = new ConcurrentHashMap<>();
  private final Balancer balancer = new Balancer(this);

  private DeploymentStates(Vertx vertx, MeterRegistry registry) {
    this.vertx = vertx;
    this.registry = registry;
  }

  static DeploymentStates of(Vertx vertx, MeterRegistry registry) {
    DeploymentStates fresh = new DeploymentStates(vertx, registry);
    DeploymentStates existing = (DeploymentStates) vertx.sharedData().getLocalMap(LOCAL_MAP).putIfAbsent(KEY, fresh);
    return existing != null ? existing : fresh;
  }

  /** The deployment's breaker, or null when breaking is disabled for it. */
  CircuitBreaker breaker(ModelConfig.Deployment deployment) {
    ModelConfig.Breaker settings = deployment.model().breaker();
    if (!settings.enabled()) {
      return null;
    }
    return breakers.computeIfAbsent(deployment.id(), id -> {
      // Timeouts are the provider's job (it knows first-token and idle times); no bus notifications.
      // Failures count within an hour and a success resets them, so the threshold means consecutive failures.
      CircuitBreaker breaker = CircuitBreaker.create("deployment:" + id, vertx, new CircuitBreakerOptions()
          .setMaxFailures(settings.failureThreshold()).setResetTimeout(settings.resetTimeout().toMillis())
          .setTimeout(-1).setMaxRetries(0).setNotificationAddress(null)
          .setFailuresRollingWindow(3_600_000));
      // Only failures a retry could cure say something about the upstream's health; a 400 does not.
      breaker.<Object>failurePolicy(result -> result.failed() && Failover.retryable(result.cause()));
      Gauge.builder("poncho.circuit.breaker.state", breaker, DeploymentStates::stateValue)
          .description("Circuit breaker state per deployment: 0 closed, 1 half-open, 2 open")
          .tag("deployment", id).register(registry);
      return breaker;
    });
  }

  /** Creates the breakers (and their gauges) of every deployment up front, so each is exported from start-up. */
  void track(Iterable<ModelConfig> models) {
    for (ModelConfig model : models) {
      model.deployments().forEach(this::breaker);
    }
  }

  Balancer balancer() {
    return balancer;
  }

  boolean open(ModelConfig.Deployment deployment) {
    CircuitBreaker breaker = breaker(deployment);
    return breaker != null && breaker.state() == CircuitBreakerState.OPEN;
  }

  AtomicInteger outstanding(ModelConfig.Deployment deployment) {
    return outstanding.computeIfAbsent(deployment.id(), id -> new AtomicInteger());
  }

  /** By model, by deployment: its breaker state, or {@code NO_API_KEY} (see {@code Addresses.DISPATCH_BREAKERS}). */
  JsonObject health(Collection<ModelConfig> models) {
    JsonObject json = new JsonObject();
    Map<String, ModelConfig> byName = new TreeMap<>(models.stream()
        .collect(Collectors.toMap(ModelConfig::name, model -> model)));
    byName.forEach((name, model) -> {
      JsonObject deployments = new JsonObject();
      for (ModelConfig.Deployment deployment : model.deployments()) {
        CircuitBreaker breaker = breakers.get(deployment.id());
        deployments.put(deployment.id(), deployment.model().missingApiKey() ? "NO_API_KEY"
            : breaker == null ? CircuitBreakerState.CLOSED.name() : breaker.state().name());
      }
      json.put(name, deployments);
    });
    return json;
  }

  private static double stateValue(CircuitBreaker breaker) {
    return switch (breaker.state()) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
    };
  }
}

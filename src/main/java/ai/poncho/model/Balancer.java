package ai.poncho.model;

import ai.poncho.config.ModelConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Picks a deployment of a model, skipping those with an open circuit or without a key. {@code weighted}
 * is smooth weighted round-robin (nginx's: even spread, exact ratios over each cycle);
 * {@code least_outstanding} takes the deployment with the fewest requests in flight, weighted
 * round-robin breaking ties. One instance per node, so the spread holds across dispatch instances.
 */
final class Balancer {

  private final DeploymentStates states;
  private final Map<String, Long> current = new HashMap<>();

  Balancer(DeploymentStates states) {
    this.states = states;
  }

  /** The chosen deployment, or null when none is available. */
  ModelConfig.Deployment pick(ModelConfig model) {
    List<ModelConfig.Deployment> all = model.deployments();
    if (all.size() == 1) {
      // The common case needs neither the node-wide lock nor the round-robin state.
      ModelConfig.Deployment only = all.get(0);
      return only.model().missingOwnApiKey() || states.open(only) ? null : only;
    }
    return pickAmong(model);
  }

  private synchronized ModelConfig.Deployment pickAmong(ModelConfig model) {
    List<ModelConfig.Deployment> candidates = model.deployments().stream()
        .filter(deployment -> !deployment.model().missingOwnApiKey() && !states.open(deployment)).toList();
    if (candidates.size() <= 1) {
      return candidates.isEmpty() ? null : candidates.get(0);
    }
    if (model.routing() == ModelConfig.Routing.LEAST_OUTSTANDING) {
      int least = candidates.stream().mapToInt(deployment -> states.outstanding(deployment).get()).min().orElse(0);
      candidates = candidates.stream().filter(deployment -> states.outstanding(deployment).get() == least).toList();
    }
    return smoothWeighted(candidates);
  }

  private ModelConfig.Deployment smoothWeighted(List<ModelConfig.Deployment> candidates) {
    long total = 0;
    ModelConfig.Deployment best = null;
    long bestWeight = Long.MIN_VALUE;
    for (ModelConfig.Deployment deployment : candidates) {
      long weight = current.merge(deployment.id(), (long) deployment.weight(), Long::sum);
      total += deployment.weight();
      if (weight > bestWeight) {
        bestWeight = weight;
        best = deployment;
      }
    }
    current.merge(best.id(), -total, Long::sum);
    return best;
  }
}

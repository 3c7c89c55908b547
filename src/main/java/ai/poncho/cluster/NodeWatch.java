package ai.poncho.cluster;

import ai.poncho.config.ClusterConfig;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which cluster node runs what a caller waits for, and who to tell when that node leaves. The clustered
 * bus does not fail a request whose handler's node died (the reply simply never comes), so every
 * cross-node wait registers the node it depends on here and is failed as soon as Hazelcast drops that
 * member. One per Vert.x instance; on a node without a cluster nothing can leave and watching is free.
 */
public final class NodeWatch implements Shareable {

  private static final Logger LOG = LoggerFactory.getLogger(NodeWatch.class);
  private static final String LOCAL_MAP = "poncho";
  private static final String KEY = "cluster.node-watch";
  /** The member attribute under which Vert.x keeps its node id (its HazelcastClusterManager sets it). */
  private static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  private final String localNode;
  private final long acceptTimeoutMs;
  private final int handoffAttempts;
  private final Map<String, Set<Watcher>> watchers = new ConcurrentHashMap<>();
  private final Set<String> left = ConcurrentHashMap.newKeySet();
  private final Set<Watcher> anyNode = ConcurrentHashMap.newKeySet();

  private NodeWatch(String localNode, ClusterConfig cluster) {
    this.localNode = localNode;
    this.acceptTimeoutMs = cluster.acceptTimeout().toMillis();
    this.handoffAttempts = cluster.handoffAttempts();
  }

  /** A registration: {@link #cancel()} it once the wait is over. */
  public interface Watch {
    void cancel();
  }

  private static final Watch NONE = () -> { };
  private static final ClusterConfig DEFAULTS = ClusterConfig.defaults();

  /** Sets up the watch of a node built from {@code cluster} (before its verticles start). */
  public static NodeWatch install(Vertx vertx, ClusterConfig cluster) {
    return create(vertx, cluster);
  }

  /** The watch of this Vert.x instance (with default settings if none was installed). */
  public static NodeWatch of(Vertx vertx) {
    NodeWatch existing = (NodeWatch) vertx.sharedData().getLocalMap(LOCAL_MAP).get(KEY);
    return existing != null ? existing : create(vertx, DEFAULTS);
  }

  private static NodeWatch create(Vertx vertx, ClusterConfig cluster) {
    Map<String, Object> map = vertx.sharedData().getLocalMap(LOCAL_MAP);
    NodeWatch existing = (NodeWatch) map.get(KEY);
    if (existing != null) {
      return existing;
    }
    ClusterManager manager = vertx.isClustered() ? ((VertxInternal) vertx).clusterManager() : null;
    NodeWatch fresh = new NodeWatch(manager == null ? null : manager.getNodeId(), cluster);
    existing = (NodeWatch) map.putIfAbsent(KEY, fresh);
    if (existing != null) {
      return existing;
    }
    if (manager instanceof HazelcastClusterManager hazelcast) {
      hazelcast.getHazelcastInstance().getCluster().addMembershipListener(fresh.listener());
    }
    return fresh;
  }

  /** How long a caller waits for a node to accept a request before handing it to another one. */
  public long acceptTimeoutMs() {
    return acceptTimeoutMs;
  }

  /** How many times a request that no node accepted is offered. */
  public int handoffAttempts() {
    return handoffAttempts;
  }

  /** This node's id in the cluster, or null when it runs alone. */
  public String localNode() {
    return localNode;
  }

  /**
   * The cluster as this node sees it, for readiness: {@code node} (this one), {@code members} (node ids)
   * and {@code size}; {@code active} is false once this node's cluster manager has stopped. Null when
   * not clustered.
   */
  public static JsonObject members(Vertx vertx) {
    ClusterManager manager = vertx.isClustered() ? ((VertxInternal) vertx).clusterManager() : null;
    if (manager == null) {
      return null;
    }
    boolean active = manager.isActive();
    List<String> nodes = active ? manager.getNodes() : List.of();
    return new JsonObject().put("active", active).put("node", manager.getNodeId())
        .put("members", new JsonArray(List.copyOf(nodes))).put("size", nodes.size());
  }

  /** Whether {@code node} is known to have left the cluster. */
  public boolean hasLeft(String node) {
    return node != null && left.contains(node);
  }

  /**
   * Runs {@code onLost} on the calling context when {@code node} leaves the cluster (at once if it
   * already has). Watching this node itself, or nothing, is a no-op.
   */
  public Watch watch(Vertx vertx, String node, Runnable onLost) {
    if (node == null || node.equals(localNode) || localNode == null) {
      return NONE;
    }
    Watcher watcher = new Watcher(vertx.getOrCreateContext(), onLost, node);
    watchers.computeIfAbsent(node, n -> ConcurrentHashMap.newKeySet()).add(watcher);
    if (left.contains(node)) {
      fire(node);
    }
    return watcher;
  }

  /**
   * Runs {@code onLeft} on the calling context when any node leaves, once. Vert.x has dropped the
   * node's handlers from its routing by then, so a request that may have gone to it can be re-sent.
   */
  public Watch watchAny(Vertx vertx, Runnable onLeft) {
    if (localNode == null) {
      return NONE;
    }
    Watcher watcher = new Watcher(vertx.getOrCreateContext(), onLeft, null);
    anyNode.add(watcher);
    return watcher;
  }

  private MembershipListener listener() {
    return new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        String node = event.getMember().getAttribute(NODE_ID_ATTRIBUTE);
        if (node != null) {
          left.add(node);
          Set<Watcher> lost = watchers.get(node);
          LOG.warn("Cluster node {} left; failing the {} requests and streams that were running on it", node,
              lost == null ? 0 : lost.size());
          fire(node);
          List.copyOf(anyNode).forEach(watcher -> {
            if (anyNode.remove(watcher)) {
              watcher.fire();
            }
          });
        }
      }
    };
  }

  private void fire(String node) {
    Set<Watcher> lost = watchers.remove(node);
    if (lost != null) {
      lost.forEach(Watcher::fire);
    }
  }

  private final class Watcher implements Watch {

    private final Context context;
    private final Runnable onLost;
    private final String node;

    Watcher(Context context, Runnable onLost, String node) {
      this.context = context;
      this.onLost = onLost;
      this.node = node;
    }

    void fire() {
      context.runOnContext(v -> onLost.run());
    }

    @Override
    public void cancel() {
      if (node == null) {
        anyNode.remove(this);
        return;
      }
      Set<Watcher> set = watchers.get(node);
      if (set != null) {
        set.remove(this);
      }
    }
  }
}

package ai.poncho.cluster;

import ai.poncho.config.ClusterConfig;
import ai.poncho.config.ConfigException;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.KubernetesConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.XmlConfigBuilder;
import com.hazelcast.config.YamlConfigBuilder;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The Hazelcast cluster manager for a node: Vert.x's default Hazelcast config (its maps and locks),
 * with the cluster name, interface and join method from {@code cluster.*}, or the user's own
 * {@code cluster.hazelcast_config} file. Failure detection is tightened from Hazelcast's defaults
 * (a silent member is dropped after 60 s) to {@code cluster.member_timeout}, so requests on a dead
 * node fail, and new ones avoid it, within seconds.
 */
public final class HazelcastSetup {

  private HazelcastSetup() {
  }

  public static HazelcastClusterManager clusterManager(ClusterConfig cluster) {
    return new HazelcastClusterManager(config(cluster));
  }

  /** The Hazelcast config for {@code cluster}; a custom file that does not parse is a configuration problem. */
  public static Config config(ClusterConfig cluster) {
    Config config = cluster.hazelcastConfig() != null ? load(cluster.hazelcastConfig()) : builtIn(cluster);
    setIfAbsent(config, "hazelcast.phone.home.enabled", "false");
    setIfAbsent(config, "hazelcast.logging.type", "slf4j");
    setIfAbsent(config, "hazelcast.heartbeat.interval.seconds", seconds(cluster.heartbeatInterval().toMillis()));
    setIfAbsent(config, "hazelcast.max.no.heartbeat.seconds", seconds(cluster.memberTimeout().toMillis()));
    // A closed connection to a member is retried a few times, then the member is suspected at once
    // instead of waiting for its heartbeats to run out.
    setIfAbsent(config, "hazelcast.connection.monitor.max.faults", "3");
    setIfAbsent(config, "hazelcast.connection.monitor.interval", "100");
    return config;
  }

  private static Config builtIn(ClusterConfig cluster) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(cluster.name());
    NetworkConfig network = config.getNetworkConfig().setPort(cluster.port()).setPortAutoIncrement(true);
    if (!"0.0.0.0".equals(cluster.host())) {
      network.getInterfaces().setEnabled(true).addInterface(cluster.host());
    }
    JoinConfig join = network.getJoin();
    join.getAutoDetectionConfig().setEnabled(false);
    join.getMulticastConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(false);
    switch (cluster.discovery()) {
      case TCP -> join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
      case MULTICAST -> join.getMulticastConfig().setEnabled(true)
          .setMulticastGroup(cluster.multicast().group()).setMulticastPort(cluster.multicast().port());
      case KUBERNETES -> kubernetes(join.getKubernetesConfig().setEnabled(true), cluster.kubernetes());
    }
    return config;
  }

  private static void kubernetes(KubernetesConfig config, ClusterConfig.Kubernetes k8s) {
    if (k8s.serviceDns() != null) {
      config.setProperty("service-dns", k8s.serviceDns());
    }
    if (k8s.namespace() != null) {
      config.setProperty("namespace", k8s.namespace());
    }
    if (k8s.serviceName() != null) {
      config.setProperty("service-name", k8s.serviceName());
    }
    if (k8s.servicePort() > 0) {
      config.setProperty("service-port", Integer.toString(k8s.servicePort()));
    }
  }

  private static Config load(String file) {
    boolean xml = file.toLowerCase(Locale.ROOT).endsWith(".xml");
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      return xml ? new XmlConfigBuilder(in).build() : new YamlConfigBuilder(in).build();
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(List.of("cluster.hazelcast_config: '" + file + "' is not a valid Hazelcast "
          + (xml ? "XML" : "YAML") + " configuration: " + e.getMessage()));
    }
  }

  private static void setIfAbsent(Config config, String name, String value) {
    if (config.getProperty(name) == null) {
      config.setProperty(name, value);
    }
  }

  private static String seconds(long millis) {
    return Long.toString(Math.max(1, (millis + 999) / 1000));
  }
}

package ai.poncho.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.poncho.config.ClusterConfig;
import ai.poncho.config.ConfigException;
import ai.poncho.config.EnvOverrides;
import ai.poncho.config.PonchoConfig;
import ai.poncho.testing.TestServer;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cluster.*}: discovery methods, failure detection and a custom Hazelcast file, validated at start-up. */
class ClusterConfigTest {

  @TempDir
  Path dir;

  private static ClusterConfig cluster(JsonObject cluster) {
    return PonchoConfig.from(TestServer.config().put("cluster", cluster.put("enabled", true))).cluster();
  }

  private static List<String> problems(JsonObject cluster) {
    try {
      cluster(cluster);
      throw new AssertionError("expected configuration problems");
    } catch (ConfigException e) {
      return e.problems();
    }
  }

  @Test
  void tcpMembersBecomeTheHazelcastTcpJoinWithFastFailureDetection() {
    ClusterConfig cluster = cluster(new JsonObject().put("name", "prod").put("port", 5801).put("bus_port", 5850)
        .put("members", new JsonArray().add("10.0.0.5").add("10.0.0.6:5801")));
    assertThat(cluster.discovery()).isEqualTo(ClusterConfig.Discovery.TCP);
    assertThat(cluster.busPort()).isEqualTo(5850);
    Config config = HazelcastSetup.config(cluster);
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertThat(config.getClusterName()).isEqualTo("prod");
    assertThat(config.getNetworkConfig().getPort()).isEqualTo(5801);
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("10.0.0.5", "10.0.0.6:5801");
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
    assertThat(config.getProperty("hazelcast.heartbeat.interval.seconds")).isEqualTo("1");
    assertThat(config.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("5");
    // Vert.x's own maps keep their settings.
    assertThat(config.getMultiMapConfig("__vertx.subs").getBackupCount()).isEqualTo(1);
  }

  @Test
  void listsFromOneEnvironmentVariableAreSplitOnCommas() {
    JsonObject json = EnvOverrides.apply(TestServer.config().put("cluster", new JsonObject().put("enabled", true)),
        Map.of("PONCHO_CLUSTER__MEMBERS", "10.0.0.5, 10.0.0.6:5701", "PONCHO_CLUSTER__MEMBER_TIMEOUT", "8s",
            "PONCHO_CLUSTER__VERTICLES", "http,prompt"));
    ClusterConfig cluster = PonchoConfig.from(json).cluster();
    assertThat(cluster.members()).containsExactly("10.0.0.5", "10.0.0.6:5701");
    assertThat(cluster.verticles()).containsExactly("http", "prompt");
    assertThat(cluster.memberTimeout()).isEqualTo(Duration.ofSeconds(8));
    assertThat(HazelcastSetup.config(cluster).getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("8");
  }

  @Test
  void multicastIsTheDefaultWithoutMembers() {
    ClusterConfig cluster = cluster(new JsonObject().put("multicast",
        new JsonObject().put("group", "224.2.2.9").put("port", 54400)));
    assertThat(cluster.discovery()).isEqualTo(ClusterConfig.Discovery.MULTICAST);
    JoinConfig join = HazelcastSetup.config(cluster).getNetworkConfig().getJoin();
    assertThat(join.getMulticastConfig().isEnabled()).isTrue();
    assertThat(join.getMulticastConfig().getMulticastGroup()).isEqualTo("224.2.2.9");
    assertThat(join.getMulticastConfig().getMulticastPort()).isEqualTo(54400);
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
  }

  @Test
  void kubernetesDiscoveryThroughAHeadlessServiceOrTheApi() {
    ClusterConfig dns = cluster(new JsonObject().put("discovery", "kubernetes").put("host", "0.0.0.0")
        .put("kubernetes", new JsonObject().put("service_dns", "poncho-hz.default.svc.cluster.local")
            .put("service_port", 5701)));
    Config config = HazelcastSetup.config(dns);
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
    assertThat(join.getKubernetesConfig().getProperty("service-dns")).isEqualTo("poncho-hz.default.svc.cluster.local");
    assertThat(join.getKubernetesConfig().getProperty("service-port")).isEqualTo("5701");
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(config.getNetworkConfig().getInterfaces().isEnabled()).isFalse();

    ClusterConfig api = cluster(new JsonObject().put("discovery", "kubernetes")
        .put("kubernetes", new JsonObject().put("namespace", "ai").put("service_name", "poncho")));
    assertThat(HazelcastSetup.config(api).getNetworkConfig().getJoin().getKubernetesConfig().getProperties())
        .containsEntry("namespace", "ai").containsEntry("service-name", "poncho");
  }

  @Test
  void everyClusterProblemIsReported() {
    assertThat(problems(new JsonObject().put("discovery", "tcp"))).containsExactly(
        "cluster.members: must list at least one member when cluster.discovery is tcp");
    assertThat(problems(new JsonObject().put("discovery", "gossip").put("members", "10.0.0.5:99999, bad host")
        .put("heartbeat_interval", "2s").put("member_timeout", "3s").put("accept_timeout", "10ms")
        .put("bus_port", -1).put("kubernetes", new JsonObject().put("service_port", 70000))))
        .contains("cluster.discovery: must be one of kubernetes, multicast, tcp (got 'gossip')",
            "cluster.members: '10.0.0.5:99999' is not a host or host:port (e.g. 10.0.0.5 or 10.0.0.5:5701)",
            "cluster.members: 'bad host' is not a host or host:port (e.g. 10.0.0.5 or 10.0.0.5:5701)",
            "cluster.kubernetes.service_port: must be between 0 and 65535 (got 70000)",
            "cluster.bus_port: must be between 0 and 65535 (got -1)",
            "cluster.member_timeout: must be at least twice heartbeat_interval (2000ms), or a single late "
                + "heartbeat would drop a live node",
            "cluster.accept_timeout: must be at least 100ms");
    assertThat(problems(new JsonObject().put("discovery", "kubernetes").put("kubernetes",
        new JsonObject().put("service_dns", "a.svc").put("service_name", "a")))).containsExactly(
        "cluster.kubernetes: set either service_dns (DNS lookup) or namespace/service_name (Kubernetes API), not both");
    assertThat(problems(new JsonObject().put("discovery", "multicast").put("members", "10.0.0.5"))).containsExactly(
        "cluster.members: is only used with cluster.discovery: tcp (discovery is multicast)");
  }

  @Test
  void aCustomHazelcastFileReplacesTheBuiltInJoin() throws IOException {
    Path yaml = dir.resolve("hazelcast.yaml");
    Files.writeString(yaml, """
        hazelcast:
          cluster-name: from-file
          properties:
            hazelcast.max.no.heartbeat.seconds: 12
          network:
            port: {port: 5901}
            join:
              multicast: {enabled: false}
              tcp-ip: {enabled: true, member-list: [10.1.1.1]}
        """, StandardCharsets.UTF_8);
    Config config = HazelcastSetup.config(cluster(new JsonObject().put("hazelcast_config", yaml.toString())));
    assertThat(config.getClusterName()).isEqualTo("from-file");
    assertThat(config.getNetworkConfig().getPort()).isEqualTo(5901);
    assertThat(config.getNetworkConfig().getJoin().getTcpIpConfig().getMembers()).containsExactly("10.1.1.1");
    // The file's own settings win; the gateway only fills in what it leaves out.
    assertThat(config.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("12");
    assertThat(config.getProperty("hazelcast.heartbeat.interval.seconds")).isEqualTo("1");

    Path xml = dir.resolve("hazelcast.xml");
    Files.writeString(xml, """
        <hazelcast xmlns="http://www.hazelcast.com/schema/config">
          <cluster-name>xml-cluster</cluster-name>
        </hazelcast>
        """, StandardCharsets.UTF_8);
    assertThat(HazelcastSetup.config(cluster(new JsonObject().put("hazelcast_config", xml.toString())))
        .getClusterName()).isEqualTo("xml-cluster");
  }

  @Test
  void aCustomHazelcastFileIsCheckedAtStartUp() throws IOException {
    assertThat(problems(new JsonObject().put("hazelcast_config", dir.resolve("missing.xml").toString())
        .put("members", "10.0.0.5")))
        .containsExactlyInAnyOrder("cluster.members: cannot be combined with cluster.hazelcast_config, whose file "
                + "configures the join",
            "cluster.hazelcast_config: cannot read '" + dir.resolve("missing.xml") + "'");
    Path text = Files.writeString(dir.resolve("hazelcast.txt"), "x");
    assertThat(problems(new JsonObject().put("hazelcast_config", text.toString()))).containsExactly(
        "cluster.hazelcast_config: must be a .xml, .yaml or .yml file (got '" + text + "')");
    Path broken = Files.writeString(dir.resolve("broken.xml"), "<hazelcast><network><port>x</port>");
    ClusterConfig cluster = cluster(new JsonObject().put("hazelcast_config", broken.toString()));
    assertThatThrownBy(() -> HazelcastSetup.config(cluster)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("cluster.hazelcast_config: '" + broken + "' is not a valid Hazelcast XML configuration");
  }
}

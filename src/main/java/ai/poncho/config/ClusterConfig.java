package ai.poncho.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Clustering: {@code cluster.*}. When enabled the node joins a Hazelcast cluster named {@code name} and
 * deploys only the verticles listed in {@code verticles} (all by default), so roles can be split across
 * nodes. Nodes find each other by {@code discovery}: {@code tcp} (the {@code members} list),
 * {@code multicast}, or {@code kubernetes} (Hazelcast's Kubernetes discovery, through a headless
 * service's DNS name or the Kubernetes API). {@code hazelcast_config} replaces all of that with a
 * Hazelcast XML or YAML file. {@code heartbeat_interval} and {@code member_timeout} say how soon a dead
 * node is noticed; {@code accept_timeout} how long a request waits for a node to take it before it is
 * handed to another one. {@code bus_port} fixes the event bus's own TCP port (0: any free port), for
 * firewalls and container port lists. {@code host: 0.0.0.0} lets Hazelcast listen on every interface
 * and pick the address other nodes are told, which the event bus then uses too.
 */
public record ClusterConfig(boolean enabled, String name, String host, int port, List<String> members,
                            List<String> verticles, Discovery discovery, Multicast multicast, Kubernetes kubernetes,
                            String hazelcastConfig, Duration heartbeatInterval, Duration memberTimeout,
                            Duration acceptTimeout, int handoffAttempts, int busPort) {

  public static final List<String> ALL = List.of("http", "prompt", "dispatch", "metrics");

  /** A host name or address (the last octet may be a range: 10.0.0.1-9), with an optional port. */
  private static final Pattern MEMBER = Pattern.compile("([A-Za-z0-9._\\-*]+|\\[[0-9A-Fa-f:.]+\\])(:(\\d{1,5}))?");

  /** How nodes find each other. */
  public enum Discovery {
    TCP, MULTICAST, KUBERNETES;

    static final Set<String> NAMES = Set.of("tcp", "multicast", "kubernetes");
  }

  /** {@code cluster.multicast.*}: group address and port. */
  public record Multicast(String group, int port) {
  }

  /**
   * {@code cluster.kubernetes.*}: {@code service_dns} (a headless service: DNS lookup mode) or
   * {@code namespace} and {@code service_name} (API mode, needs read access to endpoints), plus the
   * Hazelcast port of the pods.
   */
  public record Kubernetes(String serviceDns, String namespace, String serviceName, int servicePort) {
  }

  static ClusterConfig from(ConfigReader reader) {
    List<String> verticles = commaSeparated(reader.strings("verticles"));
    for (String verticle : verticles) {
      if (!ALL.contains(verticle)) {
        reader.problem("verticles", "unknown verticle '" + verticle + "' (known: " + String.join(", ", ALL) + ")");
      }
    }
    List<String> members = members(reader);
    String discoveryName = reader.oneOf("discovery", members.isEmpty() ? "multicast" : "tcp", Discovery.NAMES);
    Discovery discovery = Discovery.valueOf(discoveryName.toUpperCase(Locale.ROOT));
    ConfigReader multicastSection = reader.section("multicast");
    Multicast multicast = new Multicast(multicastSection.string("group", "224.2.2.3"),
        multicastSection.integer("port", 54327, 1, 65535));
    ConfigReader k8s = reader.section("kubernetes");
    Kubernetes kubernetes = new Kubernetes(k8s.string("service_dns", null), k8s.string("namespace", null),
        k8s.string("service_name", null), k8s.integer("service_port", 0, 0, 65535));
    String hazelcastConfig = reader.string("hazelcast_config", null);
    Duration heartbeat = reader.duration("heartbeat_interval", Duration.ofSeconds(1));
    Duration memberTimeout = reader.duration("member_timeout", Duration.ofSeconds(5));
    Duration acceptTimeout = reader.duration("accept_timeout", Duration.ofSeconds(2));
    boolean enabled = reader.bool("enabled", false);
    if (enabled) {
      check(reader, discovery, members, kubernetes, hazelcastConfig);
    }
    if (heartbeat.toMillis() < 1000) {
      reader.problem("heartbeat_interval", "must be at least 1s (Hazelcast counts whole seconds)");
    }
    if (memberTimeout.compareTo(heartbeat.multipliedBy(2)) < 0) {
      reader.problem("member_timeout", "must be at least twice heartbeat_interval (" + heartbeat.toMillis()
          + "ms), or a single late heartbeat would drop a live node");
    }
    if (acceptTimeout.toMillis() < 100) {
      reader.problem("accept_timeout", "must be at least 100ms");
    }
    return new ClusterConfig(enabled, reader.string("name", "poncho"), reader.string("host", "127.0.0.1"),
        reader.integer("port", 5701, 1, 65535), members, verticles.isEmpty() ? ALL : verticles, discovery,
        multicast, kubernetes, hazelcastConfig, heartbeat, memberTimeout, acceptTimeout,
        reader.integer("handoff_attempts", 3, 1, 10), reader.integer("bus_port", 0, 0, 65535));
  }

  /** A list, or one string of comma-separated members (as an environment variable gives it). */
  private static List<String> members(ConfigReader reader) {
    List<String> members = new ArrayList<>();
    for (String member : commaSeparated(reader.strings("members"))) {
      Matcher m = MEMBER.matcher(member);
      if (!m.matches() || m.group(3) != null && !validPort(Integer.parseInt(m.group(3)))) {
        reader.problem("members", "'" + member + "' is not a host or host:port (e.g. 10.0.0.5 or 10.0.0.5:5701)");
      }
      members.add(member);
    }
    return List.copyOf(members);
  }

  private static boolean validPort(int port) {
    return port >= 1 && port <= 65535;
  }

  /** Items of a list, each of which may itself be comma-separated (as one environment variable gives them). */
  private static List<String> commaSeparated(List<String> entries) {
    List<String> items = new ArrayList<>();
    for (String entry : entries) {
      for (String item : entry.split(",")) {
        if (!item.isBlank()) {
          items.add(item.trim());
        }
      }
    }
    return items;
  }

  private static void check(ConfigReader reader, Discovery discovery, List<String> members, Kubernetes kubernetes,
                            String hazelcastConfig) {
    if (hazelcastConfig != null) {
      for (String key : List.of("discovery", "members", "multicast", "kubernetes")) {
        if (reader.has(key)) {
          reader.problem(key, "cannot be combined with cluster.hazelcast_config, whose file configures the join");
        }
      }
      Path file = Path.of(hazelcastConfig);
      String lower = hazelcastConfig.toLowerCase(Locale.ROOT);
      if (!Files.isReadable(file) || Files.isDirectory(file)) {
        reader.problem("hazelcast_config", "cannot read '" + hazelcastConfig + "'");
      } else if (!lower.endsWith(".xml") && !lower.endsWith(".yaml") && !lower.endsWith(".yml")) {
        reader.problem("hazelcast_config", "must be a .xml, .yaml or .yml file (got '" + hazelcastConfig + "')");
      }
      return;
    }
    if (discovery == Discovery.TCP && members.isEmpty()) {
      reader.problem("members", "must list at least one member when cluster.discovery is tcp");
    }
    if (discovery != Discovery.TCP && !members.isEmpty()) {
      reader.problem("members", "is only used with cluster.discovery: tcp (discovery is "
          + discovery.name().toLowerCase(Locale.ROOT) + ")");
    }
    if (discovery == Discovery.KUBERNETES && kubernetes.serviceDns() != null
        && (kubernetes.serviceName() != null || kubernetes.namespace() != null)) {
      reader.problem("kubernetes", "set either service_dns (DNS lookup) or namespace/service_name (Kubernetes API),"
          + " not both");
    }
  }

  /** The settings of a node whose configuration has no {@code cluster} section. */
  public static ClusterConfig defaults() {
    return from(ConfigReader.root(new io.vertx.core.json.JsonObject()));
  }

  public boolean deploys(String verticle) {
    return verticles.contains(verticle);
  }
}

package ai.poncho.config;

import java.util.List;

/**
 * Clustering: {@code cluster.*}. When enabled the node joins a Hazelcast cluster named {@code name} and
 * deploys only the verticles listed in {@code verticles} (all by default), so roles can be split across
 * nodes. With {@code members} (host or host:port-range) nodes find each other over TCP instead of
 * multicast.
 */
public record ClusterConfig(boolean enabled, String name, String host, int port, List<String> members,
                            List<String> verticles) {

  public static final List<String> ALL = List.of("http", "prompt", "dispatch", "metrics");

  static ClusterConfig from(ConfigReader reader) {
    List<String> verticles = reader.strings("verticles");
    for (String verticle : verticles) {
      if (!ALL.contains(verticle)) {
        reader.problem("verticles", "unknown verticle '" + verticle + "' (known: " + String.join(", ", ALL) + ")");
      }
    }
    return new ClusterConfig(reader.bool("enabled", false), reader.string("name", "poncho"),
        reader.string("host", "127.0.0.1"), reader.integer("port", 5701, 1, 65535), reader.strings("members"),
        verticles.isEmpty() ? ALL : verticles);
  }

  public boolean deploys(String verticle) {
    return verticles.contains(verticle);
  }
}

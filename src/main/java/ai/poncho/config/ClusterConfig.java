package ai.poncho.config;

/**
 * Clustering: {@code cluster.*}. When enabled the node joins a Hazelcast cluster and deploys only the
 * verticles listed in {@code verticles} (all by default), so roles can be split across nodes.
 */
public record ClusterConfig(boolean enabled, String host, java.util.List<String> verticles) {

  public static final java.util.List<String> ALL = java.util.List.of("http", "prompt", "dispatch", "metrics");

  static ClusterConfig from(ConfigReader reader) {
    java.util.List<String> verticles = reader.strings("verticles");
    for (String verticle : verticles) {
      if (!ALL.contains(verticle)) {
        reader.problem("verticles", "unknown verticle '" + verticle + "' (known: " + String.join(", ", ALL) + ")");
      }
    }
    return new ClusterConfig(reader.bool("enabled", false), reader.string("host", "127.0.0.1"),
        verticles.isEmpty() ? ALL : verticles);
  }

  public boolean deploys(String verticle) {
    return verticles.contains(verticle);
  }
}

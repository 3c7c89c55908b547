package ai.poncho.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The compose files, checked as docker compose would read them (no Docker engine runs here): the
 * production stack's shape, that its parts point at each other, and that every variable is documented.
 */
class ComposeFilesTest {

  private static final String PRODUCTION = "docker-compose.production.yml";
  private static final String DEVELOPMENT = "docker-compose.yml";

  @Test
  void productionRunsNginxInFrontOfTwoClusteredReplicasWithRedisPrometheusGrafanaAndJaeger() throws IOException {
    Map<String, Object> compose = Compose.load(PRODUCTION);
    Map<String, Object> services = Compose.services(compose);
    assertThat(services).containsKeys("nginx", "ponchoai-1", "ponchoai-2", "redis", "prometheus", "grafana", "jaeger");
    List<String> replicas = replicas(compose);
    assertThat(replicas).containsExactly("ponchoai-1", "ponchoai-2");

    Set<String> clusterHosts = new HashSet<>();
    for (String name : replicas) {
      Map<String, Object> replica = Compose.service(compose, name);
      Map<String, String> env = Compose.environment(replica);
      assertThat(env).containsEntry("PONCHO_CLUSTER__ENABLED", "true")
          .containsEntry("PONCHO_STATE__BACKEND", "redis")
          .containsEntry("OTEL_EXPORTER_OTLP_ENDPOINT", "http://jaeger:4317")
          .containsKeys("PONCHO_MASTER_KEY", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES");
      assertThat(env.get("PONCHO_STATE__REDIS__URL")).matches("redis://:[^@]+@redis:6379/0");
      String address = Tools.map(Tools.map(replica.get("networks")).get("poncho")).get("ipv4_address").toString();
      assertThat(env.get("PONCHO_CLUSTER__HOST")).isEqualTo(address);
      assertThat(env.get("PONCHO_CLUSTER__MEMBERS").split(",")).contains(address);
      clusterHosts.add(address);
      assertThat(replica.get("read_only")).isEqualTo(true);
      assertThat(Compose.strings(replica.get("tmpfs"))).anyMatch(mount -> mount.startsWith("/tmp"));
      assertThat(Compose.strings(replica.get("cap_drop"))).contains("ALL");
      assertThat(replica.get("stop_grace_period").toString()).isEqualTo("45s");
      assertThat(seconds(env.get("PONCHO_HTTP__SHUTDOWN_TIMEOUT"))).isLessThan(45);
      assertThat(Tools.map(replica.get("depends_on"))).containsKeys("redis", "jaeger");
      assertThat(Tools.map(Tools.map(replica.get("deploy")).get("resources"))).containsKey("limits");
    }
    assertThat(clusterHosts).hasSize(2);

    Map<String, Object> nginx = Compose.service(compose, "nginx");
    assertThat(Tools.map(nginx.get("depends_on"))).containsOnlyKeys(replicas.toArray(String[]::new))
        .allSatisfy((name, condition) -> assertThat(Tools.map(condition)).containsEntry("condition", "service_healthy"));
    assertThat(Compose.strings(nginx.get("ports"))).containsExactly("80:80", "443:443");
    assertThat(Compose.strings(nginx.get("volumes"))).contains("./nginx.conf:/etc/nginx/nginx.conf:ro",
        "./nginx/tls-off.conf:/etc/nginx/ponchoai/tls.conf:ro",
        "./nginx/edge-limit-off.conf:/etc/nginx/ponchoai/edge-limit.conf:ro");

    List<String> redis = Compose.strings(Compose.service(compose, "redis").get("command"));
    assertThat(String.join(" ", redis)).contains("--appendonly yes").contains("--appendfsync everysec")
        .contains("--requirepass placeholder-redis_password");
    assertThat(Compose.strings(Compose.service(compose, "redis").get("volumes"))).contains("redis-data:/data");

    assertThat(Compose.environment(Compose.service(compose, "jaeger"))).containsEntry("COLLECTOR_OTLP_ENABLED", "true");
    assertThat(Compose.environment(Compose.service(compose, "grafana")))
        .containsEntry("GF_AUTH_ANONYMOUS_ENABLED", "false").containsKey("GF_SECURITY_ADMIN_PASSWORD");
  }

  @Test
  void nginxAndPrometheusReachEveryReplica() throws IOException {
    Map<String, Object> compose = Compose.load(PRODUCTION);
    List<String> expected = replicas(compose).stream().map(name -> name + ":8080").toList();
    Matcher upstream = Pattern.compile("(?m)^\\s*server\\s+([\\w.-]+:\\d+)\\s").matcher(Tools.read("docker/nginx.conf"));
    List<String> servers = new ArrayList<>();
    while (upstream.find()) {
      servers.add(upstream.group(1));
    }
    assertThat(servers).containsExactlyElementsOf(expected);

    Path prometheusFile = mountedSource(Compose.service(compose, "prometheus"), "/etc/prometheus/prometheus.yml");
    Map<String, Object> prometheus = Tools.yaml(prometheusFile);
    List<String> targets = Tools.list(prometheus.get("scrape_configs")).stream().map(Tools::map)
        .filter(job -> "ponchoai".equals(job.get("job_name")))
        .flatMap(job -> Tools.list(job.get("static_configs")).stream())
        .flatMap(config -> Compose.strings(Tools.map(config).get("targets")).stream()).toList();
    assertThat(targets).containsExactlyElementsOf(expected);
  }

  @Test
  void developmentRunsOneServerWithRedisPrometheusGrafanaAndJaeger() throws IOException {
    Map<String, Object> compose = Compose.load(DEVELOPMENT);
    assertThat(Compose.services(compose)).containsOnlyKeys("ponchoai", "redis", "prometheus", "grafana", "jaeger");
    Map<String, String> env = Compose.environment(Compose.service(compose, "ponchoai"));
    assertThat(env).containsEntry("PONCHO_STATE__BACKEND", "redis")
        .containsEntry("PONCHO_STATE__REDIS__URL", "redis://redis:6379/0")
        .containsEntry("OTEL_EXPORTER_OTLP_ENDPOINT", "http://jaeger:4317").containsKey("PONCHO_MASTER_KEY");
    assertThat(Compose.strings(Compose.service(compose, "ponchoai").get("ports"))).containsExactly("8080:8080");
    Path prometheusFile = mountedSource(Compose.service(compose, "prometheus"), "/etc/prometheus/prometheus.yml");
    assertThat(Tools.read(prometheusFile.toString())).contains("\"ponchoai:8080\"");
    assertThat(String.join(" ", Compose.strings(Compose.service(compose, "redis").get("command"))))
        .contains("--appendonly yes");
  }

  @ParameterizedTest
  @ValueSource(strings = {PRODUCTION, DEVELOPMENT})
  void everyServiceIsWiredToThingsThatExist(String file) throws IOException {
    Map<String, Object> compose = Compose.load(file);
    Map<String, Object> services = Compose.services(compose);
    Set<String> volumes = compose.containsKey("volumes") ? Tools.map(compose.get("volumes")).keySet() : Set.of();
    Set<String> hostPorts = new HashSet<>();
    services.forEach((name, value) -> {
      Map<String, Object> service = Tools.map(value);
      assertThat(service).as(name).containsKey("image");
      if (!name.equals("jaeger")) {
        Map<String, Object> healthcheck = Tools.map(service.containsKey("healthcheck") ? service.get("healthcheck")
            : Map.of());
        assertThat(Compose.strings(healthcheck.get("test"))).as(name + " healthcheck").isNotEmpty()
            .first().isEqualTo("CMD");
      }
      if (service.get("depends_on") != null) {
        assertThat(services).as(name + " depends on").containsKeys(
            Tools.map(service.get("depends_on")).keySet().toArray(String[]::new));
      }
      for (String port : Compose.strings(service.get("ports"))) {
        String[] parts = port.split(":");
        String hostPort = String.join(":", List.of(parts).subList(0, parts.length - 1));
        assertThat(hostPorts.add(hostPort)).as("host port %s used twice", hostPort).isTrue();
      }
      for (String volume : Compose.strings(service.get("volumes"))) {
        String source = volume.split(":")[0];
        if (source.startsWith(".") || source.startsWith("/")) {
          assertThat(Compose.DOCKER.resolve(source)).as(name + " mounts " + source).exists();
        } else {
          assertThat(volumes).as(name + " uses volume " + source).contains(source);
        }
      }
      if (service.containsKey("build")) {
        Map<String, Object> build = Tools.map(service.get("build"));
        assertThat(Compose.DOCKER.resolve(build.get("context").toString()).resolve(build.get("dockerfile").toString()))
            .exists();
      }
    });
  }

  @Test
  void everyOptionalNginxPartHasBothFiles() {
    for (String part : List.of("tls", "edge-limit")) {
      for (String state : List.of("on", "off")) {
        assertThat(Compose.DOCKER.resolve("nginx/" + part + "-" + state + ".conf")).exists();
      }
    }
  }

  @Test
  void everyVariableIsDocumentedInEnvExampleAndEveryDocumentedOneIsUsed() throws IOException {
    Map<String, String> documented = Compose.envExample();
    String env = Tools.read("docker/.env.example");
    Set<String> used = new HashSet<>();
    for (String file : List.of(PRODUCTION, DEVELOPMENT)) {
      Set<String> variables = Compose.variablesUsed(Tools.read("docker/" + file));
      assertThat(documented.keySet()).as(file).containsAll(variables);
      used.addAll(variables);
    }
    try (Stream<Path> scripts = Files.list(Path.of("scripts"))) {
      for (Path script : scripts.toList()) {
        String text = Files.readString(script);
        documented.keySet().stream().filter(text::contains).forEach(used::add);
      }
    }
    assertThat(used).containsAll(documented.keySet());
    for (String name : documented.keySet()) {
      int at = env.indexOf("\n" + name + "=");
      String before = env.substring(0, at);
      String previous = before.substring(before.lastIndexOf('\n') + 1);
      assertThat(previous.startsWith("#") || previous.matches("[A-Z0-9_]+=.*"))
          .as(name + " is documented by a comment above it (or its group's)").isTrue();
    }
    assertThat(documented).containsEntry("PONCHO_MASTER_KEY", "").containsEntry("REDIS_PASSWORD", "")
        .containsEntry("GRAFANA_ADMIN_PASSWORD", "");
  }

  private static List<String> replicas(Map<String, Object> compose) {
    return Compose.services(compose).entrySet().stream()
        .filter(e -> Tools.map(e.getValue()).get("image").toString().startsWith("ponchoai:")).map(Map.Entry::getKey)
        .sorted().toList();
  }

  private static Path mountedSource(Map<String, Object> service, String target) {
    return Compose.strings(service.get("volumes")).stream().filter(v -> v.split(":")[1].equals(target))
        .map(v -> Compose.DOCKER.resolve(v.split(":")[0]).normalize()).findFirst().orElseThrow();
  }

  private static long seconds(String duration) {
    return Long.parseLong(duration.replace("s", ""));
  }
}

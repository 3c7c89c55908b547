package ai.poncho.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.config.EnvOverrides;
import ai.poncho.config.PonchoConfig;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/k8s: every manifest type-checked by tsc against the Kubernetes API types (kubernetes-types:
 * unknown fields, wrong types and missing required fields fail, as with a schema validator), then the
 * references between them: selectors, named ports, probes, secrets, the HPA and PDB targets, and the
 * ConfigMap's configuration validated by the server's own ConfigReader.
 */
class K8sManifestsTest {

  private static final Path K8S = Path.of("deploy/k8s");
  private static final Map<String, String> TYPES = Map.of(
      "v1/Namespace", "core/v1:Namespace", "v1/ServiceAccount", "core/v1:ServiceAccount",
      "v1/ConfigMap", "core/v1:ConfigMap", "v1/Secret", "core/v1:Secret", "v1/Service", "core/v1:Service",
      "apps/v1/Deployment", "apps/v1:Deployment",
      "autoscaling/v2/HorizontalPodAutoscaler", "autoscaling/v2:HorizontalPodAutoscaler",
      "policy/v1/PodDisruptionBudget", "policy/v1:PodDisruptionBudget");

  private static Map<String, Map<String, Object>> byKind;

  @TempDir
  Path dir;

  @BeforeAll
  static void readManifests() throws IOException {
    byKind = new LinkedHashMap<>();
    for (Path file : manifests()) {
      for (Map<String, Object> document : Tools.yamlDocuments(file)) {
        String kind = document.get("kind").toString();
        if (!kind.equals("Namespace")) {
          assertThat(Tools.map(document.get("metadata"))).as(file + " namespace").containsEntry("namespace", "ponchoai");
        }
        assertThat(byKind.put(kind + "/" + Tools.map(document.get("metadata")).get("name"), document)).isNull();
      }
    }
  }

  private static List<Path> manifests() throws IOException {
    try (Stream<Path> files = Files.list(K8S)) {
      return files.filter(f -> f.toString().endsWith(".yaml") && !f.endsWith("kustomization.yaml")).sorted().toList();
    }
  }

  @Test
  void everyManifestMatchesTheKubernetesApiTypes() throws Exception {
    NodeTools.install();
    Tools.Result result = typeCheck(manifests());
    assertThat(result.status()).as(result.output()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "unknown field|  replicas: 2|  replica: 2|does not exist in type 'DeploymentSpec'",
      "wrong type|containerPort: 8080|containerPort: [8080]|Type 'number[]' is not assignable to type 'number'",
      "missing required field|        - name: ponchoai\\n          image:|        - image:|Property 'name' is missing"})
  void theTypeCheckCatchesWhatASchemaValidatorWould(String what, String from, String to, String error)
      throws Exception {
    NodeTools.install();
    Path broken = dir.resolve("broken.yaml");
    String original = Files.readString(K8S.resolve("deployment.yaml"));
    String text = original.replace(from.replace("\\n", "\n"), to);
    assertThat(text).isNotEqualTo(original);
    Files.writeString(broken, text);
    Tools.Result result = typeCheck(List.of(broken));
    assertThat(result.status()).isNotZero();
    assertThat(result.output()).contains(error);
  }

  @Test
  void kustomizationListsEveryManifestButTheSecretExample() throws IOException {
    Map<String, Object> kustomization = Tools.yaml(K8S.resolve("kustomization.yaml"));
    List<String> resources = Compose.strings(kustomization.get("resources"));
    List<String> expected = manifests().stream().map(p -> p.getFileName().toString())
        .filter(name -> !name.equals("secret.example.yaml")).toList();
    assertThat(resources).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void servicesProbesAndBudgetsPointAtThePods() {
    Map<String, Object> deployment = get("Deployment/ponchoai");
    Map<String, Object> spec = Tools.map(deployment.get("spec"));
    Map<String, Object> selector = Tools.map(Tools.map(spec.get("selector")).get("matchLabels"));
    Map<String, Object> pod = Tools.map(spec.get("template"));
    Map<String, Object> podLabels = Tools.map(Tools.map(pod.get("metadata")).get("labels"));
    assertThat(podLabels).containsAllEntriesOf(selector);
    Map<String, Object> podSpec = Tools.map(pod.get("spec"));
    Map<String, Object> container = Tools.map(Tools.list(podSpec.get("containers")).get(0));
    Map<String, Integer> ports = new HashMap<>();
    Tools.list(container.get("ports")).stream().map(Tools::map)
        .forEach(p -> ports.put(p.get("name").toString(), (Integer) p.get("containerPort")));
    assertThat(ports).containsEntry("http", 8080).containsEntry("hazelcast", 5701);

    assertThat(probe(container, "startupProbe")).containsEntry("path", "/health/live").containsEntry("port", "http");
    assertThat(probe(container, "livenessProbe")).containsEntry("path", "/health/live");
    assertThat(probe(container, "readinessProbe")).containsEntry("path", "/health/ready");
    Map<String, Object> resources = Tools.map(container.get("resources"));
    assertThat(Tools.map(resources.get("requests"))).containsKeys("cpu", "memory");
    assertThat(Tools.map(resources.get("limits"))).containsKey("memory");
    Map<String, Object> security = Tools.map(container.get("securityContext"));
    assertThat(security).containsEntry("readOnlyRootFilesystem", true).containsEntry("allowPrivilegeEscalation", false);
    assertThat(Tools.map(podSpec.get("securityContext"))).containsEntry("runAsNonRoot", true);
    assertThat(Compose.strings(container.get("args"))).containsExactly("--config", "/etc/ponchoai/poncho.yaml");
    assertThat((Integer) podSpec.get("terminationGracePeriodSeconds")).isGreaterThan(30 + 5);

    for (String name : List.of("Service/ponchoai", "Service/ponchoai-hazelcast")) {
      Map<String, Object> service = Tools.map(get(name).get("spec"));
      assertThat(podLabels).as(name).containsAllEntriesOf(Tools.map(service.get("selector")));
      for (Object port : Tools.list(service.get("ports"))) {
        assertThat(ports).as(name).containsKey(Tools.map(port).get("targetPort").toString());
      }
    }
    Map<String, Object> headless = Tools.map(get("Service/ponchoai-hazelcast").get("spec"));
    assertThat(headless).containsEntry("clusterIP", "None").containsEntry("publishNotReadyAddresses", true);
    assertThat(env(container)).containsEntry("PONCHO_CLUSTER__MEMBERS", "ponchoai-hazelcast.ponchoai.svc.cluster.local")
        .containsEntry("PONCHO_CLUSTER__HOST", "$(POD_IP)");

    Map<String, Object> hpa = Tools.map(get("HorizontalPodAutoscaler/ponchoai").get("spec"));
    assertThat(Tools.map(hpa.get("scaleTargetRef"))).containsEntry("kind", "Deployment").containsEntry("name", "ponchoai");
    assertThat((Integer) hpa.get("minReplicas")).isGreaterThanOrEqualTo(2);
    Map<String, Object> pdb = Tools.map(get("PodDisruptionBudget/ponchoai").get("spec"));
    assertThat(podLabels).containsAllEntriesOf(Tools.map(Tools.map(pdb.get("selector")).get("matchLabels")));
    assertThat((Integer) pdb.get("minAvailable")).isLessThan((Integer) hpa.get("minReplicas"));
  }

  @Test
  void secretsAndTheConfigMapAreTheOnesThePodUses() {
    Map<String, Object> podSpec = Tools.map(Tools.map(Tools.map(get("Deployment/ponchoai").get("spec"))
        .get("template")).get("spec"));
    Map<String, Object> container = Tools.map(Tools.list(podSpec.get("containers")).get(0));
    Map<String, Object> secret = Tools.map(get("Secret/ponchoai-secrets").get("stringData"));
    for (Object item : Tools.list(container.get("env"))) {
      Map<String, Object> variable = Tools.map(item);
      if (variable.get("valueFrom") instanceof Map<?, ?> from && from.get("secretKeyRef") != null) {
        Map<String, Object> ref = Tools.map(from.get("secretKeyRef"));
        assertThat(ref.get("name")).isEqualTo("ponchoai-secrets");
        assertThat(secret).as(variable.get("name").toString()).containsKey(ref.get("key").toString());
      }
    }
    assertThat(env(container)).containsKeys("PONCHO_MASTER_KEY", "PONCHO_STATE__REDIS__URL", "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_SERVICE_NAME");
    String configMap = Tools.list(podSpec.get("volumes")).stream().map(Tools::map)
        .filter(v -> v.containsKey("configMap")).map(v -> Tools.map(v.get("configMap")).get("name").toString())
        .findFirst().orElseThrow();
    assertThat(configMap).isEqualTo("ponchoai-config");
  }

  @Test
  void theConfigMapHoldsAValidServerConfiguration() {
    Map<String, Object> data = Tools.map(get("ConfigMap/ponchoai-config").get("data"));
    Map<String, Object> parsed = Tools.map(new Yaml().load(data.get("poncho.yaml").toString()));
    Map<String, String> env = Map.of("PONCHO_CLUSTER__HOST", "10.1.2.3",
        "PONCHO_CLUSTER__MEMBERS", "ponchoai-hazelcast.ponchoai.svc.cluster.local",
        "PONCHO_STATE__REDIS__URL", "redis://:x@redis:6379/0");
    PonchoConfig config = PonchoConfig.from(EnvOverrides.apply(new JsonObject(parsed), env));
    assertThat(config.cluster().enabled()).isTrue();
    assertThat(config.cluster().host()).isEqualTo("10.1.2.3");
    assertThat(config.cluster().members()).containsExactly("ponchoai-hazelcast.ponchoai.svc.cluster.local");
    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.models()).containsKey("mock");
  }

  private static Map<String, Object> get(String name) {
    assertThat(byKind).containsKey(name);
    return byKind.get(name);
  }

  private static Map<String, Object> probe(Map<String, Object> container, String name) {
    return Tools.map(Tools.map(container.get(name)).get("httpGet"));
  }

  private static Map<String, String> env(Map<String, Object> container) {
    Map<String, String> values = new HashMap<>();
    for (Object item : Tools.list(container.get("env"))) {
      Map<String, Object> variable = Tools.map(item);
      values.put(variable.get("name").toString(), String.valueOf(variable.get("value")));
    }
    return values;
  }

  /** One TypeScript file declaring each manifest document as a constant of its Kubernetes type. */
  private Tools.Result typeCheck(List<Path> files) throws Exception {
    Path work = Files.createDirectories(NodeTools.HOME.resolve("k8s-" + ProcessHandle.current().pid() + "-"
        + System.nanoTime()));
    try {
      StringBuilder source = new StringBuilder();
      Map<String, String> imports = new LinkedHashMap<>();
      List<String> constants = new ArrayList<>();
      int n = 0;
      for (Path file : files) {
        for (Map<String, Object> document : Tools.yamlDocuments(file)) {
          String key = document.get("apiVersion") + "/" + document.get("kind");
          assertThat(TYPES).as(file + ": " + key).containsKey(key);
          String[] type = TYPES.get(key).split(":");
          imports.computeIfAbsent(type[0], module -> "");
          imports.put(type[0], imports.get(type[0]) + (imports.get(type[0]).contains(" " + type[1] + ",") ? ""
              : " " + type[1] + ","));
          constants.add("// " + file.getFileName() + "\nexport const manifest" + (n++) + ": " + type[1] + " = "
              + new JsonObject(document).encodePrettily() + ";\n");
        }
      }
      imports.forEach((module, names) -> source.append("import type {").append(names, 0, names.length() - 1)
          .append(" } from \"kubernetes-types/").append(module).append("\";\n"));
      constants.forEach(source::append);
      Files.writeString(work.resolve("manifests.ts"), source);
      Files.writeString(work.resolve("tsconfig.json"), """
          {"compilerOptions": {"strict": true, "noEmit": true, "types": [], "target": "es2020",
                               "module": "commonjs", "moduleResolution": "node"},
           "files": ["manifests.ts"]}
          """);
      return NodeTools.tsc(work, "-p", ".");
    } finally {
      try (Stream<Path> walk = Files.walk(work)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}

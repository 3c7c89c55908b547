package ai.poncho.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/deploy.sh's decisions, with stand-ins for docker and curl on the PATH (no Docker engine runs
 * here) that record every call and report health per image tag: the build, both checks, the rolling
 * start, the rollback to the previous tag, and that an invalid configuration changes nothing.
 */
class DeployScriptTest {

  private static final String FAKE_DOCKER = """
      #!/usr/bin/env bash
      echo "PONCHO_IMAGE_TAG=${PONCHO_IMAGE_TAG:-} docker $*" >> "$FAKE_STATE/calls"
      healthy() { ! [[ " ${FAKE_UNHEALTHY:-} " == *" $(cat "$FAKE_STATE/up-tag" 2>/dev/null) "* ]]; }
      case "$1" in
        build) exit 0 ;;
        run) [ "${FAKE_CONFIG_INVALID:-}" = 1 ] && { echo "Invalid configuration in conf/poncho.yaml:" >&2; exit 2; }
             echo "Configuration OK"; exit 0 ;;
        inspect) if healthy; then echo healthy; else echo unhealthy; fi; exit 0 ;;
        compose)
          shift
          while [ $# -gt 0 ]; do case "$1" in -f|--env-file) shift 2 ;; *) break ;; esac; done
          case "$1" in
            up) echo "$PONCHO_IMAGE_TAG" > "$FAKE_STATE/up-tag" ;;
            ps) echo "container-of-${3:-}" ;;
          esac
          exit 0 ;;
      esac
      echo "fake docker: unexpected call: $*" >&2
      exit 64
      """;
  private static final String FAKE_CURL = """
      #!/usr/bin/env bash
      echo "curl $*" >> "$FAKE_STATE/calls"
      [[ " ${FAKE_UNHEALTHY:-} " == *" $(cat "$FAKE_STATE/up-tag") "* ]] && exit 22
      exit 0
      """;

  @TempDir
  Path dir;

  private Path state;
  private Path envFile;
  private Path bin;

  @BeforeEach
  void fakeTools() throws IOException {
    state = Files.createDirectories(dir.resolve("fake"));
    bin = Files.createDirectories(dir.resolve("bin"));
    Files.writeString(bin.resolve("docker"), FAKE_DOCKER);
    Files.writeString(bin.resolve("curl"), FAKE_CURL);
    for (String tool : List.of("docker", "curl")) {
      Files.setPosixFilePermissions(bin.resolve(tool), PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    envFile = dir.resolve("env");
    Files.writeString(envFile, Files.readString(Path.of("docker/.env.example"))
        .replace("PONCHO_MASTER_KEY=\n", "PONCHO_MASTER_KEY=master-key-for-the-test\n")
        .replace("REDIS_PASSWORD=\n", "REDIS_PASSWORD=redis-secret\n")
        .replace("GRAFANA_ADMIN_PASSWORD=\n", "GRAFANA_ADMIN_PASSWORD=grafana-secret\n")
        .replace("DEPLOY_READY_TIMEOUT=180", "DEPLOY_READY_TIMEOUT=5"));
  }

  @Test
  void buildsChecksAndRollsTheReplicasOutOneAtATime() throws Exception {
    Tools.Result result = deploy(Map.of(), "v1");
    assertThat(result.status()).as(result.output()).isZero();
    assertThat(result.output()).contains("deployed ponchoai:v1 (previous: none)");
    List<String> calls = calls();
    assertThat(calls.get(0)).contains("docker build -f docker/Dockerfile -t ponchoai:v1 --build-arg VERSION=v1");
    assertThat(calls.get(1)).contains("PONCHO_IMAGE_TAG=v1 docker compose -f docker/docker-compose.production.yml")
        .endsWith("config --quiet");
    assertThat(calls.get(2)).contains("docker run --rm --network none --read-only")
        .contains("-e PONCHO_MASTER_KEY=master-key-for-the-test", "-e PONCHO_STATE__BACKEND=redis",
            "-e PONCHO_STATE__REDIS__URL=redis://:redis-secret@redis:6379/0", "-e PONCHO_CLUSTER__ENABLED=true")
        .endsWith("ponchoai:v1 --check-config");
    assertThat(calls.stream().filter(call -> call.contains(" up -d ")).toList()).containsExactly(
        "PONCHO_IMAGE_TAG=v1 docker compose -f docker/docker-compose.production.yml --env-file " + envFile
            + " up -d --no-build redis jaeger prometheus grafana",
        "PONCHO_IMAGE_TAG=v1 docker compose -f docker/docker-compose.production.yml --env-file " + envFile
            + " up -d --no-build --no-deps ponchoai-1",
        "PONCHO_IMAGE_TAG=v1 docker compose -f docker/docker-compose.production.yml --env-file " + envFile
            + " up -d --no-build --no-deps ponchoai-2",
        "PONCHO_IMAGE_TAG=v1 docker compose -f docker/docker-compose.production.yml --env-file " + envFile
            + " up -d --no-build --no-deps nginx");
    // Each replica is healthy before the next one is replaced; readiness is checked through nginx last.
    int first = indexOf(calls, "--no-deps ponchoai-1");
    int second = indexOf(calls, "--no-deps ponchoai-2");
    assertThat(calls.subList(first, second)).anyMatch(call -> call.contains("docker inspect"));
    assertThat(calls.get(calls.size() - 1)).startsWith("curl ").endsWith("http://127.0.0.1:80/health/ready");
    assertThat(Files.readString(dir.resolve("state/current-tag")).strip()).isEqualTo("v1");
  }

  @Test
  void aReleaseThatDoesNotBecomeHealthyIsRolledBackToThePreviousTag() throws Exception {
    assertThat(deploy(Map.of(), "v1").status()).isZero();
    Files.delete(state.resolve("calls"));

    Tools.Result result = deploy(Map.of("FAKE_UNHEALTHY", "v2"), "v2");
    assertThat(result.status()).as(result.output()).isEqualTo(1);
    assertThat(result.output()).contains("ponchoai-1 is unhealthy", "deploying ponchoai:v2 failed",
        "rolling back to ponchoai:v1", "rolled back to ponchoai:v1");
    List<String> ups = calls().stream().filter(call -> call.contains(" up -d ")).toList();
    assertThat(ups.get(1)).startsWith("PONCHO_IMAGE_TAG=v2 ").endsWith("ponchoai-1");
    assertThat(ups.subList(2, ups.size())).allMatch(call -> call.startsWith("PONCHO_IMAGE_TAG=v1 "))
        .anyMatch(call -> call.endsWith("ponchoai-1")).anyMatch(call -> call.endsWith("ponchoai-2"));
    assertThat(Files.readString(dir.resolve("state/current-tag")).strip()).isEqualTo("v1");
    assertThat(Files.readString(state.resolve("up-tag")).strip()).isEqualTo("v1");
  }

  @Test
  void anInvalidConfigurationStopsTheDeploymentBeforeAnythingChanges() throws Exception {
    assertThat(deploy(Map.of(), "v1").status()).isZero();
    Files.delete(state.resolve("calls"));

    Tools.Result result = deploy(Map.of("FAKE_CONFIG_INVALID", "1"), "v3");
    assertThat(result.status()).isEqualTo(2);
    assertThat(result.output()).contains("Invalid configuration", "the configuration is invalid");
    assertThat(calls()).noneMatch(call -> call.contains(" up "));
    assertThat(Files.readString(dir.resolve("state/current-tag")).strip()).isEqualTo("v1");
  }

  @Test
  void rollbackGoesBackToThePreviousDeployment() throws Exception {
    assertThat(deploy(Map.of(), "v1").status()).isZero();
    assertThat(deploy(Map.of(), "v4").status()).isZero();
    Tools.Result result = deploy(Map.of(), "--rollback");
    assertThat(result.status()).as(result.output()).isZero();
    assertThat(result.output()).contains("going back from v4 to v1");
    assertThat(Files.readString(state.resolve("up-tag")).strip()).isEqualTo("v1");
    assertThat(Files.readString(dir.resolve("state/current-tag")).strip()).isEqualTo("v1");
    assertThat(Files.readString(dir.resolve("state/previous-tag")).strip()).isEqualTo("v4");
  }

  @Test
  void refusesToStartWithoutTheSecrets() throws Exception {
    Files.writeString(envFile, Files.readString(envFile).replace("REDIS_PASSWORD=redis-secret", "REDIS_PASSWORD="));
    Tools.Result result = deploy(Map.of(), "v1");
    assertThat(result.status()).isEqualTo(1);
    assertThat(result.output()).contains("REDIS_PASSWORD is empty");
    assertThat(state.resolve("calls")).doesNotExist();

    Tools.Result noFile = deploy(Map.of("DEPLOY_ENV_FILE", dir.resolve("missing").toString()), "v1");
    assertThat(noFile.status()).isEqualTo(1);
    assertThat(noFile.output()).contains("cp docker/.env.example docker/.env");
  }

  @Test
  void refusesAnInvalidTag() throws Exception {
    Tools.Result result = deploy(Map.of(), "bad tag!");
    assertThat(result.status()).isEqualTo(1);
    assertThat(result.output()).contains("not a valid image tag");
  }

  private Tools.Result deploy(Map<String, String> extra, String argument) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", bin + ":" + System.getenv("PATH"));
    env.put("FAKE_STATE", state.toString());
    env.put("DEPLOY_ENV_FILE", envFile.toString());
    env.put("DEPLOY_STATE_DIR", dir.resolve("state").toString());
    env.putAll(extra);
    return Tools.run(List.of("bash", "scripts/deploy.sh", argument), Path.of("").toAbsolutePath(), env, 120);
  }

  private List<String> calls() throws IOException {
    return Files.readAllLines(state.resolve("calls"));
  }

  private static int indexOf(List<String> calls, String part) {
    for (int i = 0; i < calls.size(); i++) {
      if (calls.get(i).contains(part)) {
        return i;
      }
    }
    throw new AssertionError("no call with " + part + " in " + calls);
  }
}

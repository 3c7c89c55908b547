package ai.poncho.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/backup.sh and scripts/restore.sh round trip, between two redis-servers of the test's own
 * (never the shared one): every type, binary values, odd key names, TTLs and a large value come back
 * byte for byte.
 */
class BackupRestoreTest {

  @TempDir
  Path dir;

  private final List<Process> servers = new ArrayList<>();
  private int source;
  private int target;

  @BeforeEach
  void startRedisServers() throws Exception {
    Tools.require("redis-server");
    source = startRedis();
    target = startRedis();
  }

  @AfterEach
  void stopRedisServers() throws InterruptedException {
    for (Process server : servers) {
      server.destroy();
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  @Test
  void aBackupRestoresEveryKeyWithItsValueAndTtl() throws Exception {
    byte[] binary = new byte[512];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) i;
    }
    Path binaryFile = Files.write(dir.resolve("binary"), binary);
    Path largeFile = Files.writeString(dir.resolve("large"), "usage-".repeat(200_000));
    cli(source, "SET", "poncho:key:sk-1", "{\"id\":\"k1\",\"models\":[\"mock\"]}");
    cliWithInput(source, binaryFile, "SET", "poncho:binary");
    cliWithInput(source, largeFile, "SET", "poncho:large");
    cli(source, "HSET", "poncho:usage:k1", "prompt_tokens", "120", "completion_tokens", "80", "cost_usd", "0.0031");
    cli(source, "ZADD", "poncho:window:k1", "1700000000000", "r1", "1700000000500", "r2");
    cli(source, "RPUSH", "poncho:list", "a", "b", "c");
    cli(source, "SADD", "poncho:set", "x", "y");
    cli(source, "XADD", "poncho:events", "*", "type", "completion", "tokens", "200");
    cli(source, "SET", "poncho:limit:k1:minute", "17", "PX", "600000");
    cli(source, "SET", "poncho:odd \"name\" with \\ back\\slash", "odd");
    cli(source, "SET", "other:not-ponchos", "left alone");
    List<String> keys = List.of("poncho:key:sk-1", "poncho:binary", "poncho:large", "poncho:usage:k1",
        "poncho:window:k1", "poncho:list", "poncho:set", "poncho:events", "poncho:limit:k1:minute",
        "poncho:odd \"name\" with \\ back\\slash");

    Path backup = dir.resolve("state.backup.gz");
    Tools.Result saved = script(source, Map.of("REDIS_KEY_PATTERN", "poncho:*"), "scripts/backup.sh",
        backup.toString());
    assertThat(saved.status()).as(saved.output()).isZero();
    assertThat(saved.output()).contains("backup: 10 keys saved to " + backup);
    try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(backup))) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).startsWith("# ponchoai redis backup v1 ")
          .doesNotContain("other:not-ponchos");
    }

    cli(target, "SET", "poncho:key:sk-1", "stale value, replaced");
    cli(target, "SET", "target:own", "kept");
    Tools.Result restored = script(target, Map.of(), "scripts/restore.sh", backup.toString());
    assertThat(restored.status()).as(restored.output()).isZero();
    assertThat(restored.output()).contains("restore: 10 keys restored");

    for (String key : keys) {
      if (key.equals("poncho:set")) {
        // A restored set may list its members in another order: compare the members.
        assertThat(cli(target, "SMEMBERS", key).lines().sorted().toList()).containsExactly("x", "y");
      } else {
        assertThat(cli(target, "--no-raw", "DUMP", key)).as(key).isEqualTo(cli(source, "--no-raw", "DUMP", key));
      }
    }
    assertThat(cli(target, "GET", "poncho:key:sk-1")).isEqualTo("{\"id\":\"k1\",\"models\":[\"mock\"]}");
    assertThat(cli(target, "HGET", "poncho:usage:k1", "cost_usd")).isEqualTo("0.0031");
    long ttl = Long.parseLong(cli(target, "PTTL", "poncho:limit:k1:minute"));
    assertThat(ttl).isBetween(1L, 600_000L);
    assertThat(cli(target, "PTTL", "poncho:usage:k1")).isEqualTo("-1");
    assertThat(cli(target, "GET", "target:own")).isEqualTo("kept");
    assertThat(cli(target, "EXISTS", "other:not-ponchos")).isEqualTo("0");
    assertThat(cli(target, "DBSIZE")).isEqualTo("11");
  }

  @Test
  void restoreRefusesAFileThatIsNotABackup() throws Exception {
    Path bogus = dir.resolve("bogus.gz");
    Tools.Result gzip = Tools.run(List.of("sh", "-c", "echo 'FLUSHALL' | gzip -c > " + bogus), dir, Map.of(), 30);
    assertThat(gzip.status()).isZero();
    cli(target, "SET", "poncho:keep", "1");
    Tools.Result result = script(target, Map.of(), "scripts/restore.sh", bogus.toString());
    assertThat(result.status()).isEqualTo(1);
    assertThat(result.output()).contains("is not a PonchoAI Redis backup");
    assertThat(cli(target, "GET", "poncho:keep")).isEqualTo("1");

    Tools.Result missing = script(target, Map.of(), "scripts/restore.sh", dir.resolve("nope.gz").toString());
    assertThat(missing.status()).isEqualTo(1);
    assertThat(missing.output()).contains("does not exist");
  }

  @Test
  void backupFailsClearlyWhenRedisIsDown() throws Exception {
    int nobody = Tools.freePort();
    Tools.Result result = script(nobody, Map.of(), "scripts/backup.sh", dir.resolve("x.gz").toString());
    assertThat(result.status()).isEqualTo(1);
    assertThat(result.output()).contains("Redis does not answer PING");
    assertThat(dir.resolve("x.gz")).doesNotExist();
  }

  private Tools.Result script(int port, Map<String, String> extra, String... command) throws Exception {
    Map<String, String> env = new java.util.HashMap<>(extra);
    env.put("REDIS_URL", "redis://127.0.0.1:" + port);
    List<String> args = new ArrayList<>(List.of("bash"));
    args.addAll(List.of(command));
    return Tools.run(args, Path.of("").toAbsolutePath(), env, 120);
  }

  private static String cli(int port, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(port)));
    command.addAll(List.of(args));
    Tools.Result result = Tools.run(command, null, Map.of(), 30);
    assertThat(result.status()).as(result.output()).isZero();
    return result.output().strip();
  }

  private static void cliWithInput(int port, Path input, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(port), "-x"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectInput(input.toFile()).redirectErrorStream(true).start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip()).isEqualTo("OK");
  }

  private int startRedis() throws Exception {
    int port = Tools.freePort();
    Process server = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no").redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis-" + port + ".log").toFile()).start();
    servers.add(server);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (Tools.run(List.of("redis-cli", "-p", String.valueOf(port), "PING"), null, Map.of(), 10).output()
          .contains("PONG")) {
        return port;
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
    throw new IllegalStateException("redis-server on " + port + " did not start");
  }
}

package ai.poncho;

import ai.poncho.config.ConfigException;
import ai.poncho.config.ConfigLoader;
import ai.poncho.config.PonchoConfig;
import ai.poncho.http.ReloadSignal;
import ai.poncho.logging.LogSetup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point: {@code java -jar ponchoai.jar [--config FILE] [--check-config]}. The file defaults to
 * {@code $PONCHO_CONFIG}, then {@code conf/poncho.yaml}. An invalid configuration is reported in full
 * and the process exits with status 2. With {@code --check-config} the configuration (file plus
 * environment overrides) is only validated: status 0 when valid, 2 with every problem listed otherwise,
 * so deployments can check it before they replace a running version.
 */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) throws InterruptedException {
    String path = configPath(args);
    if (List.of(args).contains("--check-config")) {
      System.exit(checkConfig(path));
      return;
    }
    PonchoConfig config;
    Future<Vertx> created;
    try {
      config = load(path);
      created = PonchoServer.createVertx(config);
    } catch (ConfigException e) {
      LOG.error("Invalid configuration in {}:", path);
      e.problems().forEach(problem -> LOG.error("  {}", problem));
      System.exit(2);
      return;
    }
    LogSetup.apply(config.log());
    config.warnings().forEach(warning -> LOG.warn("{}", warning));
    try {
      Vertx vertx = created.toCompletionStage().toCompletableFuture().get();
      long graceSeconds = config.http().shutdownTimeout().toSeconds() + 5;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> awaitClose(vertx, graceSeconds), "poncho-shutdown"));
      int port = PonchoServer.deploy(vertx, config).toCompletionStage().toCompletableFuture().get();
      ReloadSignal.install(vertx);
      LOG.info("PonchoAI started: models {} on {}", config.models().keySet(),
          port > 0 ? (config.http().tls().enabled() ? "https://" : "http://") + config.http().host() + ":" + port : "no HTTP on this node");
    } catch (ExecutionException e) {
      LOG.error("PonchoAI failed to start: {}", e.getCause().getMessage(), e.getCause());
      System.exit(1);
    }
  }

  /** Plain output, not log lines: scripts and people read it. */
  private static int checkConfig(String path) throws InterruptedException {
    try {
      PonchoConfig config = load(path);
      config.warnings().forEach(warning -> System.out.println("warning: " + warning));
      System.out.println("Configuration OK: " + path + " (models: "
          + String.join(", ", new TreeSet<>(config.models().keySet())) + ")");
      return 0;
    } catch (ConfigException e) {
      System.err.println("Invalid configuration in " + path + ":");
      e.problems().forEach(problem -> System.err.println("  " + problem));
      return 2;
    }
  }

  private static PonchoConfig load(String path) throws InterruptedException {
    Vertx bootstrap = Vertx.vertx();
    try {
      return ConfigLoader.load(bootstrap, path, System.getenv()).toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ConfigException ce) {
        throw ce;
      }
      throw new ConfigException(List.of(path + ": " + e.getCause().getMessage()));
    } finally {
      bootstrap.close();
    }
  }

  static String configPath(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if ((args[i].equals("--config") || args[i].equals("-c")) && i + 1 < args.length) {
        return args[i + 1];
      }
      if (args[i].startsWith("--config=")) {
        return args[i].substring("--config=".length());
      }
    }
    String env = System.getenv("PONCHO_CONFIG");
    return env != null && !env.isBlank() ? env : ConfigLoader.DEFAULT_PATH;
  }

  private static void awaitClose(Vertx vertx, long seconds) {
    try {
      PonchoServer.shutdown(vertx).toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Shutdown did not complete cleanly: {}", e.getMessage());
    }
  }
}

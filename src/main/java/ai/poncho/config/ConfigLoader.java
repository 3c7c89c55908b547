package ai.poncho.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * Loads {@code poncho.yaml} with vertx-config-yaml, then applies {@code PONCHO_A__B} overrides and
 * {@code ${VAR}} substitution, then validates. A missing relative file falls back to the copy packaged
 * in the jar, so the jar starts on its embedded default anywhere.
 */
public final class ConfigLoader {

  public static final String DEFAULT_PATH = "conf/poncho.yaml";

  private ConfigLoader() {
  }

  public static Future<PonchoConfig> load(Vertx vertx, String path, Map<String, String> env) {
    return loadJson(vertx, path, env).map(PonchoConfig::from);
  }

  public static Future<JsonObject> loadJson(Vertx vertx, String path, Map<String, String> env) {
    ConfigStoreOptions file = new ConfigStoreOptions().setType("file").setFormat("yaml")
        .setConfig(new JsonObject().put("path", path));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, new ConfigRetrieverOptions().setScanPeriod(-1)
        .setIncludeDefaultStores(false).addStore(file));
    return retriever.getConfig()
        .recover(failure -> Future.failedFuture(new ConfigException(
            List.of(path + ": cannot be read as YAML: " + rootMessage(failure)))))
        .map(json -> Substitution.apply(EnvOverrides.apply(json, env), env::get))
        .onComplete(done -> retriever.close());
  }

  private static String rootMessage(Throwable failure) {
    Throwable t = failure;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}

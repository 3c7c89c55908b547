package ai.poncho.cost;

import ai.poncho.config.ConfigReader;
import ai.poncho.config.ModelConfig;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * What each model costs: {@code models.<name>.pricing} ({@code input_per_1m}, {@code output_per_1m},
 * {@code cached_input_per_1m}, USD per million tokens) where configured, else the shipped defaults of
 * {@code pricing/default-prices.json} for the serving deployment's upstream model name (exact, else the
 * longest listed prefix), else free (an unpriced model costs 0 and is said so at start-up).
 */
public final class PriceTable {

  private static final String DEFAULTS = "/pricing/default-prices.json";
  private static final int MAX_DECIMALS = 6;
  private static final Map<String, Price> SHIPPED = load();

  private final Map<String, Price> configured;

  private PriceTable(Map<String, Price> configured) {
    this.configured = Map.copyOf(configured);
  }

  /** Reads every {@code models.<name>.pricing} of the {@code models} section, reporting bad entries. */
  public static PriceTable from(ConfigReader models) {
    Map<String, Price> configured = new HashMap<>();
    models.sections().forEach((name, model) -> {
      if (model.has("pricing")) {
        Price price = read(model.section("pricing"));
        if (price != null) {
          configured.put(name, price);
        }
      }
    });
    return new PriceTable(configured);
  }

  /** The price of a call served by {@code deployment} of the public model {@code model}. */
  public Price price(String model, ModelConfig deployment) {
    Price price = configured.get(model);
    if (price != null) {
      return price;
    }
    Price shipped = deployment == null ? null : shipped(deployment.modelName());
    return shipped != null ? shipped : Price.FREE;
  }

  /** Whether a price is known for the model (configured or shipped). */
  public boolean priced(String model, ModelConfig deployment) {
    return configured.containsKey(model) || (deployment != null && shipped(deployment.modelName()) != null);
  }

  static Price shipped(String upstreamModel) {
    if (upstreamModel == null) {
      return null;
    }
    String name = upstreamModel.contains("/") ? upstreamModel.substring(upstreamModel.lastIndexOf('/') + 1)
        : upstreamModel;
    Price exact = SHIPPED.get(name);
    if (exact != null) {
      return exact;
    }
    String best = null;
    for (String listed : SHIPPED.keySet()) {
      if (name.startsWith(listed) && isBoundary(name, listed.length())
          && (best == null || listed.length() > best.length())) {
        best = listed;
      }
    }
    return best == null ? null : SHIPPED.get(best);
  }

  private static boolean isBoundary(String name, int at) {
    char c = name.charAt(at);
    return c == '-' || c == '@' || c == ':' || c == '.';
  }

  private static Price read(ConfigReader pricing) {
    BigDecimal input = amount(pricing, "input_per_1m", true);
    BigDecimal output = amount(pricing, "output_per_1m", true);
    BigDecimal cached = amount(pricing, "cached_input_per_1m", false);
    return input == null || output == null ? null : Price.perMillion(input, output, cached);
  }

  private static BigDecimal amount(ConfigReader pricing, String key, boolean required) {
    Object value = pricing.raw().getValue(key);
    if (value == null) {
      if (required) {
        pricing.problem(key, "is required (USD per million tokens)");
      }
      return null;
    }
    try {
      BigDecimal amount = new BigDecimal(value.toString().trim());
      if (amount.signum() < 0) {
        pricing.problem(key, "must not be negative");
        return null;
      }
      if (amount.stripTrailingZeros().scale() > MAX_DECIMALS) {
        pricing.problem(key, "may have at most " + MAX_DECIMALS + " decimals (USD per million tokens)");
        return null;
      }
      return amount;
    } catch (NumberFormatException e) {
      pricing.problem(key, "must be a number of USD per million tokens (got '" + value + "')");
      return null;
    }
  }

  private static Map<String, Price> load() {
    try (InputStream in = PriceTable.class.getResourceAsStream(DEFAULTS)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULTS + " is missing from the jar");
      }
      JsonObject models = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getJsonObject("models");
      Map<String, Price> prices = new HashMap<>();
      models.forEach(entry -> {
        JsonObject p = (JsonObject) entry.getValue();
        String cached = p.getString("cached_input_per_1m");
        prices.put(entry.getKey(), Price.perMillion(new BigDecimal(p.getString("input_per_1m")),
            new BigDecimal(p.getString("output_per_1m")), cached == null ? null : new BigDecimal(cached)));
      });
      return Map.copyOf(prices);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

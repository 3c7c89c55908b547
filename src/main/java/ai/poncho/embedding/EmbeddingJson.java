package ai.poncho.embedding;

import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.error.GatewayException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Validates an OpenAI embeddings request: {@code input} a non-empty string, an array of at most
 * {@value #MAX_INPUTS} non-empty strings, one token array, or an array of token arrays.
 */
public final class EmbeddingJson {

  /** OpenAI's limit on inputs per request. */
  public static final int MAX_INPUTS = 2048;

  private EmbeddingJson() {
  }

  public static EmbeddingRequest request(JsonObject body) {
    Object model = body.getValue("model");
    if (model == null) {
      throw error("missing_required_parameter", "model", "Missing required parameter: 'model'.");
    }
    if (!(model instanceof String name) || name.isBlank()) {
      throw invalid("model", "Invalid type for 'model': expected a non-empty string.");
    }
    List<Object> inputs = inputs(body.getValue("input"));
    Object format = body.getValue("encoding_format");
    if (format != null && !"float".equals(format) && !"base64".equals(format)) {
      throw invalid("encoding_format", "Invalid value for 'encoding_format': expected 'float' or 'base64'.");
    }
    Object dimensions = body.getValue("dimensions");
    if (dimensions != null && (!(dimensions instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
        || n.longValue() < 1 || n.longValue() > 65_536)) {
      throw invalid("dimensions", "Invalid 'dimensions': expected an integer between 1 and 65536.");
    }
    Object user = body.getValue("user");
    if (user != null && !(user instanceof String)) {
      throw invalid("user", "Invalid type for 'user': expected a string.");
    }
    return new EmbeddingRequest(name, inputs, "base64".equals(format),
        dimensions == null ? null : ((Number) dimensions).intValue(), (String) user);
  }

  private static List<Object> inputs(Object input) {
    if (input == null) {
      throw error("missing_required_parameter", "input", "Missing required parameter: 'input'.");
    }
    if (input instanceof String text) {
      return List.of(nonEmpty(text, "input"));
    }
    if (!(input instanceof JsonArray array) || array.isEmpty()) {
      throw invalid("input", "Invalid 'input': expected a non-empty string, an array of strings or of token arrays.");
    }
    if (array.size() > MAX_INPUTS) {
      throw invalid("input", "Invalid 'input': at most " + MAX_INPUTS + " inputs per request, but got "
          + array.size() + ".");
    }
    if (array.getValue(0) instanceof Number) {
      return List.of(tokens(array, "input"));
    }
    List<Object> inputs = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      Object item = array.getValue(i);
      String path = "input[" + i + "]";
      if (item instanceof String text) {
        inputs.add(nonEmpty(text, path));
      } else if (item instanceof JsonArray tokens && !tokens.isEmpty()) {
        inputs.add(tokens(tokens, path));
      } else {
        throw invalid(path, "Invalid '" + path + "': expected a non-empty string or a non-empty token array.");
      }
    }
    return inputs;
  }

  private static String nonEmpty(String text, String path) {
    if (text.isEmpty()) {
      throw invalid(path, "Invalid '" + path + "': the input must not be an empty string.");
    }
    return text;
  }

  private static List<Integer> tokens(JsonArray array, String path) {
    List<Integer> tokens = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
          || n.longValue() < 0 || n.longValue() > Integer.MAX_VALUE) {
        throw invalid(path, "Invalid '" + path + "': a token array holds non-negative integers only.");
      }
      tokens.add(n.intValue());
    }
    return tokens;
  }

  private static GatewayException invalid(String param, String message) {
    return error("invalid_value", param, message);
  }

  private static GatewayException error(String code, String param, String message) {
    return new GatewayException(GatewayError.of(ErrorKind.INVALID_REQUEST, code, param, message));
  }
}

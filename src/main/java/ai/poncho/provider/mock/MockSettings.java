package ai.poncho.provider.mock;

import ai.poncho.config.ConfigReader;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.error.GatewayException;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Behaviour of the built-in mock model. Defaults come from {@code mock.*}; a model's
 * {@code custom_params} and a request's {@code metadata} override them with the same keys
 * ({@code mock_latency_ms}, {@code mock_ttft_ms}, {@code mock_chunk_delay_ms}, {@code mock_chunks},
 * {@code mock_tokens_per_chunk}, {@code mock_error_status}, {@code mock_fail_after_chunks}).
 *
 * @param latencyMs      delay before a non-streamed answer
 * @param ttftMs         delay before the first streamed chunk
 * @param chunkDelayMs   delay between streamed chunks
 * @param chunks         number of content chunks (0: as many as the reply needs)
 * @param tokensPerChunk words per content chunk
 * @param errorStatus    upstream status to fail with before answering (0: none)
 * @param failAfterChunks fail the stream after this many content chunks (0: never)
 */
public record MockSettings(long latencyMs, long ttftMs, long chunkDelayMs, int chunks, int tokensPerChunk,
                           int errorStatus, int failAfterChunks) {

  private static final long MAX_DELAY_MS = 600_000;
  private static final int MAX_CHUNKS = 100_000;

  public static MockSettings from(ConfigReader reader) {
    return new MockSettings(reader.integer("latency_ms", 0, 0, (int) MAX_DELAY_MS),
        reader.integer("ttft_ms", 0, 0, (int) MAX_DELAY_MS), reader.integer("chunk_delay_ms", 0, 0, (int) MAX_DELAY_MS),
        reader.integer("chunks", 0, 0, MAX_CHUNKS), reader.integer("tokens_per_chunk", 1, 1, 1000),
        reader.integer("error_status", 0, 0, 599), reader.integer("fail_after_chunks", 0, 0, MAX_CHUNKS));
  }

  /** These settings overridden by {@code mock_*} keys of a model's custom_params. */
  public MockSettings withModelParams(JsonObject params) {
    return params.isEmpty() ? this : with(params.getMap(), "models.custom_params");
  }

  /** These settings overridden by {@code mock_*} keys of a request's metadata (400 on bad values). */
  public MockSettings withRequestMetadata(Map<String, Object> metadata) {
    return metadata.isEmpty() ? this : with(metadata, "metadata");
  }

  private MockSettings with(Map<String, Object> values, String prefix) {
    return new MockSettings(
        number(values, "mock_latency_ms", latencyMs, MAX_DELAY_MS, prefix),
        number(values, "mock_ttft_ms", ttftMs, MAX_DELAY_MS, prefix),
        number(values, "mock_chunk_delay_ms", chunkDelayMs, MAX_DELAY_MS, prefix),
        (int) number(values, "mock_chunks", chunks, MAX_CHUNKS, prefix),
        (int) Math.max(1, number(values, "mock_tokens_per_chunk", tokensPerChunk, 1000, prefix)),
        (int) number(values, "mock_error_status", errorStatus, 599, prefix),
        (int) number(values, "mock_fail_after_chunks", failAfterChunks, MAX_CHUNKS, prefix));
  }

  private static long number(Map<String, Object> values, String key, long current, long max, String prefix) {
    Object value = values.get(key);
    if (value == null) {
      return current;
    }
    double d;
    try {
      d = value instanceof Number n ? n.doubleValue() : Double.parseDouble(value.toString().trim());
    } catch (NumberFormatException e) {
      d = Double.NaN;
    }
    if (Double.isNaN(d) || d < 0 || d > max || d != Math.rint(d)) {
      throw new GatewayException(GatewayError.of(ErrorKind.INVALID_REQUEST, "invalid_value", prefix + "." + key,
          "Invalid '" + prefix + "." + key + "': expected a whole number between 0 and " + max + ", but got '"
              + value + "'."));
    }
    return (long) d;
  }
}

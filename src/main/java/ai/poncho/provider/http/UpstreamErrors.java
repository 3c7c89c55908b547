package ai.poncho.provider.http;

import ai.poncho.config.ModelConfig;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Classifies upstream failures the way the original framework did and builds the client-facing error:
 * the upstream's own message (OpenAI {@code {"error":{"message"}}}, Anthropic
 * {@code {"type":"error","error":{"type","message"}}}, Ollama {@code {"error":"..."}}) with every
 * secret removed.
 */
public final class UpstreamErrors {

  private static final int MAX_MESSAGE = 500;
  private static final Pattern KEY_LIKE = Pattern.compile("(sk-[A-Za-z0-9_\\-]{6,}|Bearer\\s+[A-Za-z0-9._\\-]{6,})");

  private UpstreamErrors() {
  }

  /** Retryable statuses: 408, 429, 449 and every 5xx. */
  public static boolean retryableStatus(int status) {
    return status == 408 || status == 429 || status == 449 || status >= 500;
  }

  public static UpstreamException fromResponse(ModelConfig model, int status, MultiMap headers, Buffer body) {
    ErrorKind kind = ErrorKind.ofUpstreamStatus(status);
    String[] parsed = parse(body);
    String message = redact("The upstream " + model.provider().id() + " model '" + model.modelName()
        + "' answered " + status + ": " + parsed[0], model);
    String code = parsed[1] == null ? "upstream_error" : redact(parsed[1], model);
    return new UpstreamException(GatewayError.of(kind, code, null, message), retryableStatus(status),
        retryAfterMs(headers));
  }

  public static UpstreamException timeout(ModelConfig model, String what) {
    return new UpstreamException(GatewayError.of(ErrorKind.TIMEOUT, "upstream_timeout", null,
        "The upstream " + model.provider().id() + " model '" + model.modelName() + "' timed out (" + what + ")."),
        true, -1);
  }

  /** Connection refused, reset, DNS, TLS: the request may not have arrived, so it is retryable. */
  public static UpstreamException network(ModelConfig model, Throwable cause) {
    if (cause instanceof UpstreamException upstream) {
      return upstream;
    }
    if (cause instanceof TimeoutException || cause instanceof io.netty.channel.ConnectTimeoutException) {
      return timeout(model, "connect");
    }
    String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return new UpstreamException(GatewayError.of(ErrorKind.NETWORK, "upstream_unreachable", null,
        redact("Could not reach the upstream " + model.provider().id() + " model '" + model.modelName() + "': "
            + detail, model)), true, -1);
  }

  public static UpstreamException malformed(ModelConfig model, String detail) {
    return new UpstreamException(GatewayError.of(ErrorKind.SERVER_ERROR, "upstream_malformed_response", null,
        redact("The upstream " + model.provider().id() + " model '" + model.modelName()
            + "' sent a malformed response: " + detail, model)), true, -1);
  }

  /** An error the upstream reported inside a stream (e.g. Anthropic's {@code error} event). */
  public static UpstreamException streamError(ModelConfig model, JsonObject event) {
    String[] parsed = parse(event.toBuffer());
    ErrorKind kind = switch (parsed[1] == null ? "" : parsed[1]) {
      case "overloaded_error" -> ErrorKind.SERVICE_UNAVAILABLE;
      case "rate_limit_error" -> ErrorKind.RATE_LIMIT;
      case "invalid_request_error" -> ErrorKind.INVALID_REQUEST;
      default -> ErrorKind.SERVER_ERROR;
    };
    return new UpstreamException(GatewayError.of(kind, parsed[1] == null ? "upstream_error" : parsed[1], null,
        redact("The upstream " + model.provider().id() + " model '" + model.modelName() + "' failed: " + parsed[0],
            model)), kind.retryable(), -1);
  }

  /** Removes the model's API key, its header values and anything key-shaped. */
  public static String redact(String text, ModelConfig model) {
    if (text == null) {
      return null;
    }
    String result = text;
    if (model.apiKey() != null && !model.apiKey().isBlank()) {
      result = result.replace(model.apiKey(), "[redacted]");
    }
    for (String value : model.connection().headers().values()) {
      if (value.length() >= 6) {
        result = result.replace(value, "[redacted]");
      }
    }
    return KEY_LIKE.matcher(result).replaceAll("[redacted]");
  }

  /** [message, code]: the upstream's own words where it gave them. */
  private static String[] parse(Buffer body) {
    String text = body == null ? "" : body.toString().trim();
    try {
      JsonObject json = new JsonObject(text);
      Object error = json.getValue("error");
      if (error instanceof JsonObject e) {
        Object code = e.getValue("code") != null ? e.getValue("code") : e.getValue("type");
        return new String[] {truncate(String.valueOf(e.getValue("message", text))),
            code == null ? null : String.valueOf(code)};
      }
      if (error instanceof String s) {
        return new String[] {truncate(s), null};
      }
      if (json.getValue("message") != null) {
        return new String[] {truncate(String.valueOf(json.getValue("message"))), null};
      }
    } catch (RuntimeException notJson) {
      // a proxy's HTML or plain text: passed on shortened
    }
    return new String[] {text.isEmpty() ? "(no body)" : truncate(text), null};
  }

  private static String truncate(String text) {
    return text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE) + "…";
  }

  /** {@code retry-after-ms}, or {@code Retry-After} as seconds or an HTTP date; -1 when absent or unreadable. */
  static long retryAfterMs(MultiMap headers) {
    String ms = headers.get("retry-after-ms");
    if (ms != null) {
      try {
        return Math.max(0, (long) Double.parseDouble(ms.trim()));
      } catch (NumberFormatException ignored) {
        // fall back to Retry-After
      }
    }
    String value = headers.get("retry-after");
    if (value == null) {
      return -1;
    }
    try {
      return Math.max(0, (long) (Double.parseDouble(value.trim()) * 1000));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime when = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
        return Math.max(0, when.toInstant().toEpochMilli() - System.currentTimeMillis());
      } catch (DateTimeParseException notDate) {
        return -1;
      }
    }
  }
}

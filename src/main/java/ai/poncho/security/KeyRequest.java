package ai.poncho.security;

import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A validated create or patch body of the key API. Every bad or unknown field is collected and reported
 * in one 400 (message naming all of them, {@code details} one entry per field). On a patch, an absent field
 * stays as it is and {@code null} clears it.
 */
final class KeyRequest {

  static final List<String> FIELDS = fields();
  private static final int MAX_TEXT = 256;
  private static final int MAX_MODELS = 1000;
  private static final int MAX_METADATA_BYTES = 16 * 1024;

  private final JsonObject body;
  private final Map<String, String> problems = new LinkedHashMap<>();
  private final boolean unknownOnly;

  String name;
  Role role;
  List<String> models;
  Set<Endpoint> endpoints;
  String team;
  JsonObject metadata;
  Instant expiresAt;
  Boolean enabled;
  KeyLimits limits;

  private KeyRequest(JsonObject body, boolean create) {
    this.body = body;
    for (String field : body.fieldNames()) {
      if (!FIELDS.contains(field)) {
        problems.put(field, "is not a known field (known: " + String.join(", ", FIELDS) + ")");
      }
    }
    unknownOnly = !problems.isEmpty();
    name = text("name");
    team = text("team");
    role = has("role") ? role() : create ? Role.USER : null;
    models = has("models") ? models() : null;
    endpoints = has("endpoints") ? endpoints() : null;
    metadata = has("metadata") ? metadata() : null;
    expiresAt = has("expires_at") ? expiresAt() : null;
    enabled = has("enabled") ? enabled() : create ? Boolean.TRUE : null;
    limits = KeyLimits.parse(body, problems::put);
  }

  static KeyRequest create(JsonObject body) {
    return new KeyRequest(body, true).validated();
  }

  static KeyRequest patch(JsonObject body) {
    return new KeyRequest(body, false).validated();
  }

  boolean has(String field) {
    return body.containsKey(field);
  }

  /** The stored key with this patch applied. */
  ApiKey applyTo(ApiKey key, Instant now) {
    KeyLimits current = key.limits();
    KeyLimits merged = new KeyLimits(has("rpm") ? limits.rpm() : current.rpm(),
        has("tpm") ? limits.tpm() : current.tpm(), has("max_parallel") ? limits.maxParallel() : current.maxParallel(),
        has("max_budget") ? limits.maxBudget() : current.maxBudget(),
        has("budget_period") ? limits.budgetPeriod() : current.budgetPeriod());
    return new ApiKey(key.id(), key.hash(), key.hint(), has("name") ? name : key.name(),
        has("role") ? role : key.role(), has("models") ? models : key.models(),
        has("endpoints") ? endpoints : key.endpoints(), has("team") ? team : key.team(),
        has("metadata") ? metadata : key.metadata(), has("expires_at") ? expiresAt : key.expiresAt(),
        has("enabled") ? enabled : key.enabled(), merged, key.createdAt(), now, key.previousHash(),
        key.previousExpiresAt());
  }

  private KeyRequest validated() {
    if (problems.isEmpty()) {
      return this;
    }
    JsonArray details = new JsonArray();
    List<String> lines = new ArrayList<>();
    problems.forEach((field, message) -> {
      details.add(new JsonObject().put("param", field).put("message", message));
      lines.add("'" + field + "' " + message);
    });
    String first = problems.keySet().iterator().next();
    boolean allUnknown = unknownOnly && problems.values().stream().allMatch(m -> m.startsWith("is not a known field"));
    throw GatewayError.of(ErrorKind.INVALID_REQUEST, allUnknown ? "unknown_parameter" : "invalid_value", first,
        "Invalid key request (" + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + "): "
            + String.join("; ", lines) + ".").withDetails(details).toException();
  }

  private String text(String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s) || s.length() > MAX_TEXT) {
      problems.put(field, "must be a string of at most " + MAX_TEXT + " characters");
      return null;
    }
    return s;
  }

  private Role role() {
    Role parsed = Role.parse(body.getValue("role"));
    if (parsed == null) {
      problems.put("role", "must be one of admin, user, viewer");
    }
    return parsed;
  }

  private List<String> models() {
    Object value = body.getValue("models");
    if (value == null) {
      return List.of();
    }
    if (value instanceof JsonArray array && array.size() <= MAX_MODELS) {
      List<String> result = new ArrayList<>();
      for (Object item : array) {
        if (!(item instanceof String s) || s.isBlank() || s.length() > MAX_TEXT) {
          problems.put("models", "must be a list of model names or glob patterns (e.g. deepseek-*, prompt:fashion/*)");
          return List.of();
        }
        result.add(s);
      }
      return result;
    }
    problems.put("models", "must be a list of at most " + MAX_MODELS + " model names or glob patterns");
    return List.of();
  }

  private Set<Endpoint> endpoints() {
    Object value = body.getValue("endpoints");
    Set<Endpoint> result = EnumSet.noneOf(Endpoint.class);
    if (value == null) {
      return result;
    }
    if (value instanceof JsonArray array) {
      for (Object item : array) {
        Endpoint endpoint = Endpoint.parse(item);
        if (endpoint == null) {
          problems.put("endpoints", "must be a list of chat, prompts, ws, models");
          return result;
        }
        result.add(endpoint);
      }
      return result;
    }
    problems.put("endpoints", "must be a list of chat, prompts, ws, models");
    return result;
  }

  private JsonObject metadata() {
    Object value = body.getValue("metadata");
    if (value == null) {
      return new JsonObject();
    }
    if (!(value instanceof JsonObject object) || object.toBuffer().length() > MAX_METADATA_BYTES) {
      problems.put("metadata", "must be a JSON object of at most " + MAX_METADATA_BYTES / 1024 + " KB");
      return new JsonObject();
    }
    return object;
  }

  /** Unix seconds, or ISO-8601: with an offset, or a UTC date-time or date without one. A past time is allowed. */
  private Instant expiresAt() {
    Object value = body.getValue("expires_at");
    if (value == null) {
      return null;
    }
    Instant instant = null;
    if (value instanceof Number number && number.doubleValue() == Math.rint(number.doubleValue())
        && number.longValue() > 0) {
      instant = Instant.ofEpochSecond(number.longValue());
    } else if (value instanceof String s) {
      instant = isoInstant(s.trim());
    }
    if (instant == null) {
      problems.put("expires_at", "must be a Unix time in seconds or an ISO-8601 date-time (e.g. 2027-06-30T00:00:00Z)");
    }
    return instant;
  }

  private static Instant isoInstant(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException notOffset) {
      try {
        return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException notLocal) {
        try {
          return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException notDate) {
          return null;
        }
      }
    }
  }

  private Boolean enabled() {
    if (body.getValue("enabled") instanceof Boolean b) {
      return b;
    }
    problems.put("enabled", "must be true or false");
    return null;
  }

  private static List<String> fields() {
    List<String> fields = new ArrayList<>(List.of("name", "role", "models", "endpoints", "team", "metadata",
        "expires_at", "enabled"));
    fields.addAll(KeyLimits.FIELDS);
    return List.copyOf(fields);
  }
}

package ai.poncho.security;

import ai.poncho.config.AuthConfig;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.http.JsonBody;
import ai.poncho.http.RequestContext;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key-management API (admin only): {@code POST /api/v1/keys}, {@code GET /api/v1/keys} (paged with
 * {@code limit} and {@code after}), {@code GET|PATCH|DELETE /api/v1/keys/{id}} and
 * {@code POST /api/v1/keys/{id}/rotate}. The plain key is in the answer of create and rotate only. Every
 * change is written to the {@code poncho.audit} log: who, what, when, never a secret.
 */
public final class KeysHandler {

  private static final Logger AUDIT = LoggerFactory.getLogger("poncho.audit");
  private static final int DEFAULT_PAGE = 20;
  private static final int MAX_PAGE = 100;
  private static final Pattern GRACE = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

  private final KeyStore store;
  private final Authenticator authenticator;
  private final AuthConfig config;
  private final Clock clock;
  private final KeyDetails details;

  public KeysHandler(KeyStore store, Authenticator authenticator, AuthConfig config, Clock clock) {
    this(store, authenticator, config, clock, KeyDetails.NONE);
  }

  public KeysHandler(KeyStore store, Authenticator authenticator, AuthConfig config, Clock clock,
                     KeyDetails details) {
    this.store = store;
    this.authenticator = authenticator;
    this.config = config;
    this.clock = clock;
    this.details = details;
  }

  public void mount(Router router) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.maxKeyBodyBytes());
    String one = Permissions.KEYS_PATH + "/:id";
    router.post(Permissions.KEYS_PATH).handler(body).handler(Permissions::requireAdmin)
        .handler(JsonBody::requireJsonContentType).handler(this::create);
    router.get(Permissions.KEYS_PATH).handler(Permissions::requireAdmin).handler(this::list);
    router.get(one).handler(Permissions::requireAdmin).handler(this::get);
    router.patch(one).handler(body).handler(Permissions::requireAdmin).handler(JsonBody::requireJsonContentType)
        .handler(this::patch);
    router.delete(one).handler(Permissions::requireAdmin).handler(this::delete);
    router.post(one + "/rotate").handler(body).handler(Permissions::requireAdmin).handler(this::rotate);
  }

  private void create(RoutingContext ctx) {
    Instant now = clock.instant();
    KeyRequest request = KeyRequest.create(JsonBody.object(ctx));
    String secret = KeySecrets.newSecret();
    ApiKey key = new ApiKey(KeySecrets.newId(), KeySecrets.hash(secret), KeySecrets.hint(secret), request.name,
        request.role, request.models == null ? java.util.List.of() : request.models,
        request.endpoints == null ? Endpoint.ALL : request.endpoints, request.team, request.metadata,
        request.expiresAt, request.enabled, request.limits, now, now, null, null);
    store.create(key).onSuccess(v -> {
      audit(ctx, "create", key.id(), key.toJson());
      send(ctx, 201, key.toJson().put("key", secret));
    }).onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    String limitParam = ctx.request().getParam("limit");
    int limit = DEFAULT_PAGE;
    if (limitParam != null) {
      try {
        limit = Integer.parseInt(limitParam);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_PAGE) {
        ctx.fail(GatewayError.invalid("limit", "'limit' must be a whole number from 1 to " + MAX_PAGE + ".")
            .toException());
        return;
      }
    }
    store.list(ctx.request().getParam("after"), limit).onSuccess(page -> {
      JsonArray data = new JsonArray();
      page.keys().forEach(key -> data.add(key.toJson()));
      send(ctx, 200, new JsonObject().put("object", "list").put("data", data)
          .put("first_id", page.keys().isEmpty() ? null : page.keys().get(0).id())
          .put("last_id", page.keys().isEmpty() ? null : page.keys().get(page.keys().size() - 1).id())
          .put("has_more", page.hasMore()));
    }).onFailure(ctx::fail);
  }

  private void get(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    store.byId(id).onSuccess(key -> {
      if (key == null) {
        ctx.fail(notFound(id));
      } else {
        details.of(key).otherwiseEmpty().onComplete(extra ->
            send(ctx, 200, extra.result() == null ? key.toJson() : key.toJson().mergeIn(extra.result())));
      }
    }).onFailure(ctx::fail);
  }

  private void patch(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    JsonObject body = JsonBody.object(ctx);
    Instant now = clock.instant();
    KeyRequest request = KeyRequest.patch(body);
    store.update(id, key -> request.applyTo(key, now)).onSuccess(key -> {
      if (key == null) {
        ctx.fail(notFound(id));
        return;
      }
      authenticator.forget(key);
      audit(ctx, "update", id, body);
      send(ctx, 200, key.toJson());
    }).onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    store.byId(id).compose(key -> key == null ? Future.succeededFuture(false)
            : store.delete(id).onSuccess(deleted -> authenticator.forget(key)))
        .onSuccess(deleted -> {
          if (!deleted) {
            ctx.fail(notFound(id));
            return;
          }
          audit(ctx, "revoke", id, new JsonObject());
          send(ctx, 200, new JsonObject().put("id", id).put("object", "api_key").put("deleted", true));
        }).onFailure(ctx::fail);
  }

  private void rotate(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    Duration grace = grace(ctx);
    Instant now = clock.instant();
    String secret = KeySecrets.newSecret();
    String hash = KeySecrets.hash(secret);
    store.rotate(id, key -> grace.isZero() ? key.withSecret(hash, KeySecrets.hint(secret), null, null, now)
        : key.withSecret(hash, KeySecrets.hint(secret), key.hash(), now.plus(grace), now)).onSuccess(key -> {
          if (key == null) {
            ctx.fail(notFound(id));
            return;
          }
          authenticator.forget(key);
          audit(ctx, "rotate", id, new JsonObject().put("grace_period_seconds", grace.toSeconds()));
          JsonObject answer = key.toJson().put("key", secret);
          answer.put("previous_key_expires_at", grace.isZero() ? null : key.previousExpiresAt().getEpochSecond());
          send(ctx, 200, answer);
        }).onFailure(ctx::fail);
  }

  /** {@code grace_period} of the rotate body: seconds, or 30s / 15m / 2h / 1d; the configured default without. */
  private Duration grace(RoutingContext ctx) {
    if (ctx.body().buffer() == null || ctx.body().buffer().length() == 0) {
      return config.rotationGrace();
    }
    JsonObject body = JsonBody.object(ctx);
    for (String field : body.fieldNames()) {
      if (!field.equals("grace_period")) {
        throw GatewayError.of(ErrorKind.INVALID_REQUEST, "unknown_parameter", field,
            "'" + field + "' is not a known field of a rotation (known: grace_period).").toException();
      }
    }
    Object value = body.getValue("grace_period");
    if (value == null) {
      return config.rotationGrace();
    }
    Matcher m = GRACE.matcher(value.toString().trim());
    if (!(value instanceof Number || value instanceof String) || !m.matches()) {
      throw GatewayError.invalid("grace_period",
          "'grace_period' must be a number of seconds or a duration such as 30s, 15m, 2h or 1d.").toException();
    }
    long amount = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    Duration grace = switch (unit) {
      case "ms" -> Duration.ofMillis(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      case "d" -> Duration.ofDays(amount);
      default -> Duration.ofSeconds(amount);
    };
    if (grace.compareTo(Duration.ofDays(30)) > 0) {
      throw GatewayError.invalid("grace_period", "'grace_period' must be at most 30 days.").toException();
    }
    return grace;
  }

  private void audit(RoutingContext ctx, String action, String keyId, JsonObject what) {
    Grant grant = Permissions.grant(ctx);
    String actor = grant.keyId() == null ? "anonymous" : grant.keyId();
    String address = ctx.request().remoteAddress() == null ? "-" : ctx.request().remoteAddress().host();
    AUDIT.info("at={} actor={} from={} request={} action={} key={} what={}", clock.instant(), actor, address,
        RequestContext.id(ctx), action, keyId, what.encode());
  }

  private static ai.poncho.error.GatewayException notFound(String id) {
    return GatewayError.of(ErrorKind.NOT_FOUND, "key_not_found", "id", "No API key with id '" + id + "'.")
        .toException();
  }

  private static void send(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
  }
}

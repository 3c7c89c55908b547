package ai.poncho.usage;

import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.error.GatewayException;
import ai.poncho.security.Caller;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * {@code GET /api/v1/usage?from=&to=&group_by=key|team|model|day&key_id=}: totals of requests, tokens
 * and cost over whole UTC days, {@code from} and {@code to} included (a date {@code 2026-12-01}, an
 * ISO-8601 instant, or unix seconds; both default to today; at most 366 days). Without
 * {@code group_by}, one total. An admin (or everyone, on an open gateway) sees all usage; any other
 * key sees its own only. {@code GET /api/v1/usage/records?limit=} lists the most recent call records.
 */
public final class UsageHandler {

  private static final int MAX_DAYS = 366;
  private static final Set<String> GROUPS = Set.of("key", "team", "model", "day");

  private final UsageStore store;
  private final BiPredicate<RoutingContext, Caller> admin;

  /** {@code admin} tells whether the request's caller may see every key's usage. */
  public UsageHandler(UsageStore store, BiPredicate<RoutingContext, Caller> admin) {
    this.store = store;
    this.admin = admin;
  }

  public void mount(Router router) {
    router.get("/api/v1/usage").handler(this::usage);
    router.get("/api/v1/usage/records").handler(this::records);
  }

  private void usage(RoutingContext ctx) {
    String groupBy = ctx.request().getParam("group_by");
    if (groupBy != null && !GROUPS.contains(groupBy)) {
      ctx.fail(GatewayError.invalid("group_by", "group_by must be one of key, team, model, day.").toException());
      return;
    }
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    LocalDate from;
    LocalDate to;
    String keyId;
    try {
      from = day(ctx, "from", today);
      to = day(ctx, "to", today);
      keyId = visibleKey(ctx, ctx.request().getParam("key_id"));
    } catch (GatewayException e) {
      ctx.fail(e);
      return;
    }
    if (from.isAfter(to)) {
      ctx.fail(GatewayError.invalid("from", "from must not be after to.").toException());
      return;
    }
    if (from.plusDays(MAX_DAYS).isBefore(to)) {
      ctx.fail(GatewayError.invalid("to", "A usage query spans at most " + MAX_DAYS + " days.").toException());
      return;
    }
    Predicate<UsageRow> filter = keyId == null || keyId.isEmpty() ? row -> true : row -> keyId.equals(row.keyId());
    LocalDate first = from;
    LocalDate last = to;
    store.rows(from, to).onSuccess(rows -> {
      Totals total = new Totals();
      Map<String, Totals> groups = new TreeMap<>(Comparator.nullsFirst(Comparator.naturalOrder()));
      Function<UsageRow, String> group = groupFunction(groupBy);
      for (UsageRow row : rows) {
        if (filter.test(row)) {
          total.add(row.totals());
          if (group != null) {
            groups.computeIfAbsent(group.apply(row), g -> new Totals()).add(row.totals());
          }
        }
      }
      JsonArray data = new JsonArray();
      groups.forEach((name, totals) -> data.add(new JsonObject().put(groupBy.equals("key") ? "key_id" : groupBy, name)
          .mergeIn(totals.toJson())));
      JsonObject body = new JsonObject().put("object", "usage").put("from", first.toString()).put("to", last.toString())
          .put("group_by", groupBy).put("key_id", keyId == null || keyId.isEmpty() ? null : keyId)
          .put("data", data).put("total", total.toJson());
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
    }).onFailure(failure -> ctx.fail(GatewayError.of(ErrorKind.SERVICE_UNAVAILABLE, "usage_unavailable", null,
        "The usage store is unavailable: " + failure.getMessage()).toException()));
  }

  private void records(RoutingContext ctx) {
    int limit;
    try {
      String value = ctx.request().getParam("limit");
      limit = value == null ? 100 : Integer.parseInt(value);
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > 1000) {
      ctx.fail(GatewayError.invalid("limit", "limit must be a whole number from 1 to 1000.").toException());
      return;
    }
    String keyId;
    try {
      keyId = visibleKey(ctx, ctx.request().getParam("key_id"));
    } catch (GatewayException e) {
      ctx.fail(e);
      return;
    }
    int wanted = limit;
    store.recent(keyId == null || keyId.isEmpty() ? limit : 1000).onSuccess(records -> {
      JsonArray data = new JsonArray();
      for (JsonObject record : records) {
        if ((keyId == null || keyId.isEmpty() || keyId.equals(record.getString("key_id"))) && data.size() < wanted) {
          data.add(record);
        }
      }
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(new JsonObject().put("object", "list").put("data", data).toBuffer());
    }).onFailure(failure -> ctx.fail(GatewayError.of(ErrorKind.SERVICE_UNAVAILABLE, "usage_unavailable", null,
        "The usage store is unavailable: " + failure.getMessage()).toException()));
  }

  /**
   * The key whose usage the caller may read: the asked one (or all, as "") for an admin, else its own;
   * asking for another key's is 403.
   */
  private String visibleKey(RoutingContext ctx, String asked) {
    Caller caller = Caller.of(ctx);
    if (admin.test(ctx, caller)) {
      return asked == null ? "" : asked;
    }
    if (asked != null && !asked.equals(caller.keyId())) {
      throw GatewayError.of(ErrorKind.FORBIDDEN, "permission_denied", "key_id",
          "A key may read only its own usage.").toException();
    }
    return caller.keyId();
  }

  private static Function<UsageRow, String> groupFunction(String groupBy) {
    if (groupBy == null) {
      return null;
    }
    return switch (groupBy) {
      case "key" -> UsageRow::keyId;
      case "team" -> UsageRow::team;
      case "model" -> UsageRow::model;
      default -> row -> row.day().toString();
    };
  }

  private static LocalDate day(RoutingContext ctx, String param, LocalDate fallback) {
    String value = ctx.request().getParam(param);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    String v = value.trim();
    try {
      if (v.chars().allMatch(Character::isDigit)) {
        return LocalDate.ofInstant(Instant.ofEpochSecond(Long.parseLong(v)), ZoneOffset.UTC);
      }
      if (v.length() == 10) {
        return LocalDate.parse(v);
      }
      return LocalDate.ofInstant(Instant.parse(v), ZoneOffset.UTC);
    } catch (DateTimeParseException | NumberFormatException e) {
      throw GatewayError.invalid(param, param + " must be a date (YYYY-MM-DD), an ISO-8601 instant or unix seconds.")
          .toException();
    }
  }
}

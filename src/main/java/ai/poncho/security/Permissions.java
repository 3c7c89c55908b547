package ai.poncho.security;

import ai.poncho.bus.PromptExecution;
import ai.poncho.chat.ChatRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * Who may do what, for the auth step and for routes with their own rules: the key API and other admin
 * routes want {@link Role#ADMIN}; viewers only read; a key limited to some {@link Endpoint}s gets 403 on
 * the others; its model allow-list is checked where a route knows the model.
 */
public final class Permissions {

  public static final String KEYS_PATH = "/api/v1/keys";

  private Permissions() {
  }

  /** The request's grant: what the auth step stored, or {@link Grant#OPEN} when auth is off. */
  public static Grant grant(RoutingContext ctx) {
    Grant grant = ctx.get(Grant.CONTEXT_KEY);
    return grant == null ? Grant.OPEN : grant;
  }

  public static Role role(RoutingContext ctx) {
    return grant(ctx).role();
  }

  public static boolean isAdmin(RoutingContext ctx) {
    return role(ctx) == Role.ADMIN;
  }

  /** A route handler: 403 {@code insufficient_permissions} unless the caller is an admin. */
  public static void requireAdmin(RoutingContext ctx) {
    if (isAdmin(ctx)) {
      ctx.next();
    } else {
      ctx.fail(AuthErrors.insufficient("This endpoint needs the admin role."));
    }
  }

  /**
   * Throws 403 {@code model_not_allowed} unless the caller may use the request's model and, for a prompt
   * run, its model override.
   */
  public static void requireModels(Caller caller, ChatRequest request) {
    if (!caller.mayUse(request.model())) {
      throw AuthErrors.modelNotAllowed(request.model());
    }
    Object override = request.extra().getValue(PromptExecution.MODEL_OVERRIDE);
    if (PromptExecution.isPrompt(request.model()) && override instanceof String model && !caller.mayUse(model)) {
      throw AuthErrors.modelNotAllowed(model);
    }
  }

  /** The endpoint class of a path, or null for routes that are no {@link Endpoint} (admin and others). */
  public static Endpoint endpointOf(String path) {
    if (path.equals("/v1/models") || path.startsWith("/v1/models/")) {
      return Endpoint.MODELS;
    }
    if (path.startsWith("/v1/")) {
      return Endpoint.CHAT;
    }
    if (path.equals("/api/v1/prompts") || path.startsWith("/api/v1/prompts/")) {
      return Endpoint.PROMPTS;
    }
    if (path.equals("/api/v1/ws")) {
      return Endpoint.WS;
    }
    return null;
  }

  /** Why {@code grant} may not make this request, or null when it may. */
  public static String denial(Grant grant, HttpMethod method, String path) {
    if (grant.role() == Role.ADMIN) {
      return null;
    }
    if (path.equals(KEYS_PATH) || path.startsWith(KEYS_PATH + "/")) {
      return "Managing API keys needs the admin role.";
    }
    Endpoint endpoint = endpointOf(path);
    boolean reading = method == HttpMethod.GET || method == HttpMethod.HEAD;
    if (grant.role() == Role.VIEWER && (!reading || endpoint == Endpoint.CHAT || endpoint == Endpoint.WS)) {
      return "The viewer role is read-only: it may list models and prompts and read its own usage.";
    }
    if (endpoint != null && !grant.endpoints().contains(endpoint)) {
      return "This API key may not use the " + endpoint.wireName() + " endpoints.";
    }
    return null;
  }
}

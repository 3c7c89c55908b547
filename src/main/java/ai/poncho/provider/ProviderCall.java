package ai.poncho.provider;

import ai.poncho.chat.ChatRequest;
import ai.poncho.config.ModelConfig;
import ai.poncho.error.Errors;
import ai.poncho.error.GatewayError;
import io.vertx.core.Future;

/**
 * A request bound to the model entry that serves it. {@code request.model()} is the public name the
 * client used; {@code model.modelName()} is the upstream's name. {@code cancelled} completes when the
 * client went away before a non-streamed answer or before a stream opened: the provider then stops the
 * upstream call and fails with {@link #CANCELLED}. (An open stream stops through
 * {@link ai.poncho.chat.ChatStream#cancel()}.)
 */
public record ProviderCall(String requestId, ModelConfig model, ChatRequest request, Future<Void> cancelled) {

  /** Status 499 as nginx uses it: the client closed the request; nothing retries it. */
  public static final GatewayError CANCELLED = Errors.CLIENT_CLOSED;
}

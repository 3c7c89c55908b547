package ai.poncho.bus;

import ai.poncho.chat.Usage;
import ai.poncho.error.GatewayError;

/**
 * How a pumped stream ended, for metrics and its trace span: completed, failed ({@code error}) or
 * cancelled; {@code responseId} is the provider's id of the answer (null before its first chunk).
 */
public record StreamOutcome(String finishReason, Usage usage, GatewayError error, boolean cancelled,
                            long firstChunkNanos, String responseId) {
}

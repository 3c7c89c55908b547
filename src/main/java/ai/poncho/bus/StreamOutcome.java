package ai.poncho.bus;

import ai.poncho.chat.Usage;
import ai.poncho.error.GatewayError;

/** How a pumped stream ended, for metrics: completed, failed ({@code error}) or cancelled. */
public record StreamOutcome(String finishReason, Usage usage, GatewayError error, boolean cancelled,
                            long firstChunkNanos) {
}

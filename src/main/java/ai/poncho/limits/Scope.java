package ai.poncho.limits;

/**
 * One counter a call is charged to: {@code key:<id>} (or {@code anonymous}), {@code team:<name>} or
 * {@code model:<name>}, with the limits that apply to it.
 */
public record Scope(String id, Rates rates) {
}

package ai.poncho.limits;

import java.util.List;

/**
 * The limit that refused a call: the first scope, in check order, whose {@code rpm} or {@code tpm} the call
 * would pass; no scope ({@code scope} null) when only {@code max_parallel} was full.
 */
record Exceeded(Scope scope, Decision.ScopeState state, String limit) {

  static final String RPM = "rpm";
  static final String TPM = "tpm";
  static final String MAX_PARALLEL = "max_parallel";

  static Exceeded of(LimitCheck check, Decision decision) {
    List<Decision.ScopeState> states = decision.states();
    for (int i = 0; i < states.size(); i++) {
      Scope scope = check.scopes().get(i);
      Rates rates = scope.rates();
      Decision.ScopeState state = states.get(i);
      if (rates.rpm() > 0 && state.requests() >= rates.rpm()) {
        return new Exceeded(scope, state, RPM);
      }
      if (rates.tpm() > 0 && state.tokens() > 0 && state.tokens() + check.tokens() > rates.tpm()) {
        return new Exceeded(scope, state, TPM);
      }
    }
    return new Exceeded(null, null, MAX_PARALLEL);
  }
}

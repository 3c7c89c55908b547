#!/usr/bin/env bash
# Runs the whole test suite: unit and integration tests over loopback (mvn verify, which also packages
# the jar; it includes the checks of docker/, deploy/k8s, loadtest/k6 and scripts/ with nginx,
# redis-server, shellcheck and tsc) and the Prometheus config and alert-rule tests (promtool, from
# Debian's prometheus package).
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -B verify "$@"

if command -v promtool >/dev/null; then
  promtool check config monitoring/prometheus.yml
  promtool check config monitoring/prometheus.production.yml
  promtool test rules monitoring/alerts.test.yml
else
  echo "promtool not installed: skipped monitoring/ rule tests (apt-get install prometheus)"
fi

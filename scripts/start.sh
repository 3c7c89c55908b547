#!/usr/bin/env bash
# Builds the runnable jar and starts PonchoAI on the embedded default (mock model, no keys, no Redis).
# Extra arguments go to the server, e.g. --config conf/poncho.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q package -DskipTests
exec java ${JAVA_OPTS:-} -jar target/ponchoai.jar "$@"

#!/usr/bin/env bash
# Builds the runnable jar and starts PonchoAI on the embedded default (mock model, no keys, no Redis).
# Extra arguments go to the server, e.g. --config conf/poncho.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q package -DskipTests
# Container-aware heap and GC flags (see scripts/jvm-opts.sh); JAVA_OPTS adds to or overrides them.
# Two glibc malloc arenas instead of up to eight per core: less C heap held by threads that rarely malloc.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
# shellcheck disable=SC2046
exec java $(scripts/jvm-opts.sh) ${JAVA_OPTS:-} -jar target/ponchoai.jar "$@"
